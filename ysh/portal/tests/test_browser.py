"""The portal in a real browser: Playwright driving Debian's Chromium against live_server.

Run only these with ``pytest -m browser``; they are skipped when /usr/bin/chromium is missing."""

import pytest

from ysh.testing.browser import ARTIFACTS, BROWSER_MARKS
from ysh.users.models import Invitation, Role
from ysh.users.tests.factories import (
    DEFAULT_PASSWORD,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    PlanFactory,
    UserFactory,
)

pytestmark = BROWSER_MARKS


@pytest.fixture
def team(transactional_db):
    """An organization on a priced plan with a small team and a pending invitation."""
    plan = PlanFactory(
        slug="pro",
        name="Pro",
        monthly_price="1490.00",
        max_users=8,
        max_products_listed=None,
        features=["Homologação", "Catálogo", "Assistente Helio"],
    )
    organization = OrganizationFactory(
        legal_name="Sol do Cerrado Energia Ltda",
        trade_name="Sol do Cerrado",
        cnpj="11222333000181",
        city="Goiânia",
        state="GO",
        plan=plan,
    )
    owner = MembershipFactory(
        organization=organization,
        role=Role.OWNER,
        user=UserFactory(email="marina@soldocerrado.com.br", full_name="Marina Costa"),
    )
    for email, name, role in (
        ("joao@soldocerrado.com.br", "João Pereira", Role.ADMIN),
        ("carla@soldocerrado.com.br", "Carla Nunes", Role.ENGINEER),
        ("pedro@soldocerrado.com.br", "Pedro Lima", Role.MEMBER),
    ):
        MembershipFactory(organization=organization, role=role, user=UserFactory(email=email, full_name=name))
    InvitationFactory(organization=organization, email="rafael@soldocerrado.com.br", invited_by=owner.user)
    return owner


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/portal/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(password)
    page.get_by_role("button", name="Entrar").click()


def test_sign_in_see_dashboard_and_invite_a_member(live_server, page, team):
    # given the owner of an organization at the sign-in page
    # when they sign in through the form
    sign_in(page, live_server.url, "marina@soldocerrado.com.br", DEFAULT_PASSWORD)

    # then they land on the dashboard with the organization, plan and usage
    page.wait_for_url(f"{live_server.url}/portal/")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Sol do Cerrado"
    assert "11.222.333/0001-81" in page.inner_text(".page-head")
    plan_card = page.locator("section", has=page.get_by_role("heading", name="Plano e uso"))
    assert "R$ 1.490,00" in plan_card.inner_text()
    users_row = page.locator('[data-limit="max_users"]')
    assert "5 / 8" in users_row.inner_text()
    assert "ilimitado" in page.locator('[data-limit="max_products_listed"]').inner_text()
    assert page.locator('[data-limit="max_users"] .meter__fill').is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-dashboard.png"), full_page=True)

    # when they invite a member from the team page
    page.get_by_role("link", name="Equipe", exact=True).click()
    page.wait_for_url(f"{live_server.url}/portal/members/")
    invite = page.locator("#invite")
    invite.get_by_label("E-mail").fill("beatriz@soldocerrado.com.br")
    invite.get_by_label("Papel").select_option(Role.ENGINEER)
    invite.get_by_role("button", name="Enviar convite").click()

    # then the invitation is confirmed and listed
    page.wait_for_url(f"{live_server.url}/portal/members/")
    assert "Convite enviado para beatriz@soldocerrado.com.br." in page.inner_text(".messages")
    assert "beatriz@soldocerrado.com.br" in page.inner_text('[data-testid="invitations"]')
    assert Invitation.objects.filter(email="beatriz@soldocerrado.com.br", role=Role.ENGINEER).exists()
    page.screenshot(path=str(ARTIFACTS / "portal-members.png"), full_page=True)


def test_wrong_password_shows_the_error(live_server, page, team):
    # given an existing account
    # when the password is wrong
    sign_in(page, live_server.url, "marina@soldocerrado.com.br", "senha-errada-123")

    # then the sign-in page says so and no session starts
    error = page.locator(".form-errors")
    error.wait_for()
    assert "E-mail ou senha incorretos." in error.inner_text()
    assert page.url.startswith(f"{live_server.url}/portal/login/")

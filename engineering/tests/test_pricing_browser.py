"""The calculator's beneficiary rows in a real browser (Playwright driving Debian's Chromium against
live_server): rows are added and removed with the page's few lines of JavaScript, the indexes stay
contiguous, and the units reach the analysis in page order.

Run with ``pytest -m browser``; skipped when /usr/bin/chromium is missing."""

import pytest

from engineering.models import SolarViabilityAnalysis
from engineering.tests.catalog_setup import solar_catalog
from ysh.testing.browser import BROWSER_MARKS
from ysh.users.models import Role
from ysh.users.tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = BROWSER_MARKS


@pytest.fixture
def owner(transactional_db, settings):
    settings.PVGIS_ENABLED = False
    solar_catalog()
    return MembershipFactory(role=Role.OWNER, user=UserFactory(email="dona@solbrilho.com.br"))


def test_rows_are_added_removed_and_sent_in_order(live_server, page, owner):
    # given the owner signed in, on the calculator
    page.goto(f"{live_server.url}/portal/login/")
    page.get_by_label("E-mail").fill("dona@solbrilho.com.br")
    page.get_by_label("Senha").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{live_server.url}/portal/")
    page.goto(f"{live_server.url}/portal/engineering/calculator/")
    page.fill("#id_lat", "-23.5505")
    page.fill("#id_lon", "-46.6333")
    page.select_option("#id_utility", "ELETROPAULO")
    page.fill("#id_average_kwh", "550")
    page.fill("#id_target_offset_pct", "200")
    page.get_by_text("Premissas e créditos compartilhados").click()
    rows = page.locator("[data-formset-rows] tr[data-formset-row]")
    total = page.locator('input[name="beneficiaries-TOTAL_FORMS"]')
    assert rows.count() == 3

    # when two rows are added and the second row is removed
    add = page.get_by_role("button", name="Adicionar unidade")
    add.click()
    add.click()
    assert rows.count() == 5 and total.input_value() == "5"
    rows.nth(1).get_by_role("button", name="Remover").click()

    # then the indexes stay contiguous
    assert rows.count() == 4 and total.input_value() == "4"
    names = [rows.nth(i).locator("input").first.get_attribute("name") for i in range(4)]
    assert names == [f"beneficiaries-{i}-name" for i in range(4)]

    # when four units are filled and the form is sent
    units = [
        ("Loja", "300", "30"),
        ("Sítio", "150", "20"),
        ("Escritório", "220", "15"),
        ("Galpão", "400", "10"),
    ]
    for i, (name, kwh, share) in enumerate(units):
        row = rows.nth(i)
        row.locator('input[name$="-name"]').fill(name)
        row.locator('input[name$="-average_kwh"]').fill(kwh)
        row.locator('input[name$="-share_pct"]').fill(share)
    page.get_by_role("button", name="Analisar").click()

    # then the analysis has them, in page order
    page.wait_for_url("**/portal/engineering/analyses/*/")
    analysis = SolarViabilityAnalysis.objects.get(organization=owner.organization)
    assert [b["name"] for b in analysis.beneficiaries] == [u[0] for u in units]
    assert [b["share_pct"] for b in analysis.beneficiaries] == [float(u[2]) for u in units]
    assert page.locator('[data-testid="price-breakdown"]').is_visible()

"""Portal "Preços e custos" page: everyone in the organization reads the pricing settings, owners and
admins change them (a crafted post from another role is refused), bad values come back on their
field, and the calculator and the analysis page link to it and show the price breakdown."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from engineering.models import IntegratorPricing, platform_pricing
from engineering.services import integrator_pricing_update, viability_analysis_create
from engineering.tests.catalog_setup import analysis_data, solar_catalog
from ysh.portal.formatting import format_brl
from ysh.users.models import OrganizationStatus, Role
from ysh.users.tests.factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("engineering.tests.urls")]

URL = reverse("engineering_portal:pricing", urlconf="engineering.tests.urls")


def settings_post(**changes) -> dict:
    data = {
        "installation_rs_wp": "0.55",
        "bos_pct": "22",
        "bos_rs_wp": "0",
        "freight_pct": "2",
        "homologation_fee": "1350",
        "other_costs": "200",
        "margin_pct": "28",
        "service_tax_pct": "6",
        "validity_days": "10",
    }
    data.update(changes)
    return data


@pytest.fixture
def login(client):
    def _login(role: str, **organization):
        membership = MembershipFactory(
            role=role, **{f"organization__{k}": v for k, v in organization.items()}
        )
        client.force_login(membership.user)
        return membership

    return _login


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owner_and_admin_save_the_settings(client, login, role):
    # given an owner or admin on the page, with nothing saved yet
    membership = login(role)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'data-testid="pricing-form"' in page.content.decode()
    assert 'data-testid="pricing-defaults"' in page.content.decode()
    # when they save
    response = client.post(URL, settings_post())
    # then
    assert response.status_code == 302
    saved = IntegratorPricing.objects.get(organization=membership.organization)
    assert (saved.margin_pct, saved.homologation_fee, saved.validity_days) == (
        Decimal("28"),
        Decimal("1350"),
        10,
    )
    assert saved.updated_by == membership.user
    assert 'data-testid="pricing-defaults"' not in client.get(URL).content.decode()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ENGINEER])
def test_other_roles_read_only_and_a_crafted_post_is_refused(client, login, role):
    # given a member of an organization
    membership = login(role)
    # when they open the page
    page = client.get(URL)
    # then they read the values without a form
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="pricing-readonly"' in html and 'data-testid="pricing-form"' not in html
    # when they post anyway
    response = client.post(URL, settings_post(margin_pct="90"), follow=True)
    # then nothing changes
    assert not IntegratorPricing.objects.filter(organization=membership.organization).exists()
    assert any("proprietários e administradores" in str(m) for m in response.context["messages"])


def test_suspended_organization_cannot_save(client, login):
    membership = login(Role.OWNER, status=OrganizationStatus.SUSPENDED)
    assert 'data-testid="pricing-form"' not in client.get(URL).content.decode()
    client.post(URL, settings_post())
    assert not IntegratorPricing.objects.filter(organization=membership.organization).exists()


def test_bad_values_come_back_on_their_fields(client, login):
    # given an owner
    membership = login(Role.OWNER)
    # when they post a negative margin and a 0-day validity
    response = client.post(URL, settings_post(margin_pct="-3", validity_days="0", service_tax_pct="abc"))
    # then
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"margin_pct", "validity_days", "service_tax_pct"} <= set(errors)
    assert not IntegratorPricing.objects.filter(organization=membership.organization).exists()


def test_settings_are_per_organization(client, login):
    # given another integrator with its own settings
    other = MembershipFactory(role=Role.OWNER)
    integrator_pricing_update(organization=other.organization, actor=other.user, data={"margin_pct": 50})
    # when an owner saves theirs
    membership = login(Role.OWNER)
    client.post(URL, settings_post(margin_pct="20"))
    # then each keeps its own
    assert IntegratorPricing.objects.get(organization=other.organization).margin_pct == Decimal("50")
    assert IntegratorPricing.objects.get(organization=membership.organization).margin_pct == Decimal("20")


def test_example_follows_the_settings(client, login):
    # given an owner who saved a 0% margin and no tax, freight, BOS or fixed costs
    membership = login(Role.OWNER)
    integrator_pricing_update(
        organization=membership.organization,
        actor=membership.user,
        data={
            "margin_pct": 0,
            "service_tax_pct": 0,
            "freight_pct": 0,
            "bos_pct": 0,
            "other_costs": 0,
            "installation_rs_wp": Decimal("0.50"),
            "homologation_fee": 1000,
        },
    )
    # when
    page = client.get(URL)
    # then 5 kWp × R$ 1.20/Wp = 6,000 + 0.50 × 5,000 + 1,000 = 9,500
    assert page.context["example"]["total"] == pytest.approx(9_500)
    assert format_brl(9_500) in page.content.decode()


def test_calculator_links_to_the_page_and_detail_shows_the_breakdown(client, login, settings):
    settings.PVGIS_ENABLED = False
    # given an analysis of the organization
    solar_catalog()
    membership = login(Role.MEMBER)
    calculator = client.get(reverse("engineering_portal:calculator")).content.decode()
    assert f'href="{URL}"' in calculator
    analysis = viability_analysis_create(data=analysis_data(), organization=membership.organization)
    # when the member opens it
    html = client.get(reverse("engineering_portal:detail", args=[analysis.pk])).content.decode()
    # then the breakdown with the margin (the integrator's own page) and the validity are there
    inv = analysis.result["investment"]
    assert 'data-testid="price-breakdown"' in html
    assert format_brl(inv["margin"]) in html and format_brl(inv["total"]) in html
    until = timezone.localdate() + timedelta(days=platform_pricing()["validity_days"])
    assert f"{until:%d/%m/%Y}" in html

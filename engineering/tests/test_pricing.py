"""Integrator pricing: the price build-up (equipment → BOS → freight → installation → project →
margin → service tax), the organization's settings in the analyses (the platform's for the public
calculator, per-analysis overrides on top), validation, the API overrides, the proposal (total and
validity, never the margin) and the admin."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from engineering.models import IntegratorPricing, platform_pricing
from engineering.services import (
    integrator_pricing_get,
    integrator_pricing_update,
    viability_analysis_create,
    viability_analysis_recompute,
)
from engineering.tests.catalog_setup import analysis_data, solar_catalog
from engineering.viability import Costs, ViabilityInputs, viability_compute
from engineering.viability.energy import ConsumerUnit
from ysh.errors import NotAllowed, OrganizationSuspended
from ysh.portal.formatting import format_brl
from ysh.users.models import OrganizationStatus, Role
from ysh.users.tests.factories import MembershipFactory

PARTS = ("equipment", "bos", "freight", "installation", "homologation", "other", "margin", "tax")


def costs(**changes) -> Costs:
    values = {
        "equipment": 10_000,
        "inverter": 3_000,
        "installation_rs_wp": 0.40,
        "homologation_fee": 1_000,
        "bos_pct": 20,
        "bos_rs_wp": 0.10,
        "freight_pct": 5,
        "other_costs": 300,
        "margin_pct": 30,
        "service_tax_pct": 5,
    }
    values.update(changes)
    return Costs(**values)


# --- the price build-up (pure) ----------------------------------------------------------------------


def test_breakdown_hand_case():
    # given R$ 10,000 of modules + inverters for 5 kWp
    # when
    prices = costs().breakdown(5.0)
    # then BOS 20% + R$ 0.10/Wp = 2,000 + 500; freight 5% of 12,500 = 625; installation 0.40 × 5,000
    assert prices["bos"] == pytest.approx(2_500)
    assert prices["freight"] == pytest.approx(625)
    assert prices["installation"] == pytest.approx(2_000)
    # cost 10,000 + 2,500 + 625 + 2,000 + 1,000 + 300 = 16,425; margin 30% = 4,927.50
    assert prices["cost"] == pytest.approx(16_425)
    assert prices["margin"] == pytest.approx(4_927.50)
    # the service part 2,000 + 1,000 + 300 + 4,927.50 = 8,227.50 taxed 5% "por dentro": 8,227.50 / 19
    assert prices["tax"] == pytest.approx(433.03, abs=0.005)
    assert prices["tax"] / (8_227.50 + prices["tax"]) == pytest.approx(0.05)
    assert prices["total"] == pytest.approx(16_425 + 4_927.50 + 433.03, abs=0.01)


def test_without_pricing_fields_the_price_is_the_plain_sum():
    # given only equipment, installation and homologation (what callers gave before pricing existed)
    prices = Costs(
        equipment=12_000, inverter=4_000, installation_rs_wp=0.8, homologation_fee=1_200
    ).breakdown(5.5)
    # then nothing is added
    assert prices["total"] == pytest.approx(12_000 + 0.8 * 5_500 + 1_200)
    assert prices["margin"] == prices["tax"] == prices["bos"] == prices["freight"] == 0


def test_viability_result_keeps_the_breakdown_and_scales_scenarios():
    # given a 5 kWp system priced as in the hand case
    inputs = ViabilityInputs(
        generation_per_kwp_monthly=[140, 130, 130, 115, 105, 95, 105, 120, 120, 130, 135, 140],
        kwp=5.0,
        units=[ConsumerUnit("Casa", [600.0] * 12, 50, 1.05, 0.32)],
        costs=costs(),
        protocol_date=timezone.localdate(),
        start=timezone.localdate(),
    )
    # when
    result = viability_compute(inputs)
    # then the investment is the total price, with every part kept
    investment = result["investment"]
    assert investment["total"] == pytest.approx(21_785.53, abs=0.01)
    assert sum(investment[p] for p in PARTS) == pytest.approx(investment["total"], abs=0.05)
    assert investment["per_wp"] == pytest.approx(21_785.53 / 5_000, abs=0.005)
    assert result["scenarios"][0]["investment"] == pytest.approx(investment["total"], abs=0.01)
    # the 20% larger system (6 kWp): equipment 12,000, BOS 2,400 + 600, freight 750, installation
    # 2,400, fixed 1,000 + 300 → cost 19,450; margin 5,835; tax (2,400 + 1,300 + 5,835) / 19
    larger = next(s for s in result["scenarios"] if s["key"] == "larger")
    assert larger["investment"] == pytest.approx(19_450 + 5_835 + 9_535 / 19, abs=0.01)


# --- settings in the analyses --------------------------------------------------------------------------


@pytest.fixture
def offline(settings):
    settings.PVGIS_ENABLED = False
    settings.VIACEP_URL = "http://127.0.0.1:9/ws/"


def _assert_priced_with(analysis, values: dict):
    """The stored price follows ``values`` (checked part by part from the sized hardware)."""
    inv = analysis.result["investment"]
    hardware = analysis.sizing["hardware_cost"]
    kwp = float(analysis.system_kwp)
    assert inv["equipment"] == pytest.approx(hardware, abs=0.01)
    bos = hardware * values["bos_pct"] / 100 + values["bos_rs_wp"] * kwp * 1000
    assert inv["bos"] == pytest.approx(bos, abs=0.01)
    assert inv["freight"] == pytest.approx((hardware + bos) * values["freight_pct"] / 100, abs=0.01)
    assert inv["installation"] == pytest.approx(values["installation_rs_wp"] * kwp * 1000, abs=0.01)
    assert inv["homologation"] == pytest.approx(values["homologation_fee"])
    assert inv["margin"] == pytest.approx(inv["cost"] * values["margin_pct"] / 100, abs=0.02)
    service = inv["installation"] + inv["homologation"] + inv["other"] + inv["margin"]
    rate = values["service_tax_pct"] / 100
    assert inv["tax"] == pytest.approx(service * rate / (1 - rate), abs=0.02)
    assert float(analysis.total_investment) == pytest.approx(sum(inv[p] for p in PARTS), abs=0.05)


@pytest.mark.django_db
def test_public_calculator_uses_the_platform_defaults(offline):
    # given
    solar_catalog()
    # when an analysis without organization is created
    analysis = viability_analysis_create(data=analysis_data())
    # then
    assert analysis.context["pricing"]["source"] == "platform"
    _assert_priced_with(analysis, platform_pricing())
    assert IntegratorPricing.objects.count() == 0


@pytest.mark.django_db
def test_deployment_setting_changes_the_platform_defaults(offline, settings):
    # given a deployment that prices with a 10% margin and no service tax
    settings.ENGINEERING_PRICING_DEFAULTS = {"margin_pct": 10, "service_tax_pct": 0}
    solar_catalog()
    # when
    analysis = viability_analysis_create(data=analysis_data())
    # then
    inv = analysis.result["investment"]
    assert inv["margin"] == pytest.approx(inv["cost"] * 0.10, abs=0.02)
    assert inv["tax"] == 0


@pytest.mark.django_db
def test_an_organizations_analysis_uses_its_saved_pricing_and_overrides_win(offline):
    # given an organization that saved its own pricing
    solar_catalog()
    owner = MembershipFactory(role=Role.OWNER)
    values = {
        "installation_rs_wp": Decimal("0.65"),
        "bos_pct": Decimal("18"),
        "bos_rs_wp": Decimal("0.05"),
        "freight_pct": Decimal("2.5"),
        "homologation_fee": Decimal("1500"),
        "other_costs": Decimal("250"),
        "margin_pct": Decimal("32"),
        "service_tax_pct": Decimal("8"),
        "validity_days": 10,
    }
    integrator_pricing_update(organization=owner.organization, actor=owner.user, data=values)
    # when an analysis is created for it
    analysis = viability_analysis_create(data=analysis_data(), organization=owner.organization)
    # then
    floats = {k: float(v) for k, v in values.items()}
    _assert_priced_with(analysis, floats)
    assert analysis.result["investment"]["other"] == 250
    assert analysis.context["pricing"] == {
        "source": "organization",
        "validity_days": 10,
        "valid_until": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    # when another analysis overrides the margin for this deal
    discounted = viability_analysis_create(
        data=analysis_data(assumptions={"margin_pct": 15.0}), organization=owner.organization
    )
    # then only the margin changes
    _assert_priced_with(discounted, {**floats, "margin_pct": 15.0})
    assert discounted.total_investment < analysis.total_investment


@pytest.mark.django_db
def test_recompute_applies_the_current_settings(offline):
    # given an analysis priced with the defaults
    solar_catalog()
    owner = MembershipFactory(role=Role.OWNER)
    analysis = viability_analysis_create(data=analysis_data(), organization=owner.organization)
    assert analysis.context["pricing"]["source"] == "platform"
    # when the integrator raises its margin and recomputes
    integrator_pricing_update(organization=owner.organization, actor=owner.user, data={"margin_pct": 40})
    again = viability_analysis_recompute(analysis=analysis)
    # then
    assert again.context["pricing"]["source"] == "organization"
    assert again.result["investment"]["margin"] == pytest.approx(
        again.result["investment"]["cost"] * 0.40, abs=0.02
    )
    assert again.total_investment > analysis.total_investment


# --- the settings: lazy creation, permissions, validation ---------------------------------------------


@pytest.mark.django_db
def test_settings_are_created_once_with_the_defaults():
    # given an organization without settings
    owner = MembershipFactory(role=Role.OWNER)
    # when they are asked for twice
    first = integrator_pricing_get(organization=owner.organization)
    second = integrator_pricing_get(organization=owner.organization)
    # then one row with the platform values
    assert first.pk == second.pk and IntegratorPricing.objects.count() == 1
    assert first.as_dict() == pytest.approx(platform_pricing())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MEMBER, Role.ENGINEER])
def test_only_owners_and_admins_change_the_settings(role):
    membership = MembershipFactory(role=role)
    with pytest.raises(NotAllowed):
        integrator_pricing_update(
            organization=membership.organization, actor=membership.user, data={"margin_pct": 5}
        )
    assert not IntegratorPricing.objects.filter(organization=membership.organization, margin_pct=5).exists()
    admin = MembershipFactory(organization=membership.organization, role=Role.ADMIN)
    saved = integrator_pricing_update(
        organization=membership.organization, actor=admin.user, data={"margin_pct": 5}
    )
    assert saved.margin_pct == Decimal("5") and saved.updated_by == admin.user


@pytest.mark.django_db
def test_a_suspended_organization_cannot_change_its_settings():
    owner = MembershipFactory(role=Role.OWNER, organization__status=OrganizationStatus.SUSPENDED)
    with pytest.raises(OrganizationSuspended):
        integrator_pricing_update(organization=owner.organization, actor=owner.user, data={"margin_pct": 5})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("margin_pct", Decimal("-1")),
        ("margin_pct", Decimal("250")),
        ("installation_rs_wp", Decimal("-0.10")),
        ("service_tax_pct", Decimal("45")),
        ("freight_pct", Decimal("31")),
        ("homologation_fee", Decimal("-5")),
        ("validity_days", 0),
        ("validity_days", 365),
    ],
)
def test_out_of_range_values_are_refused_on_their_field(field, value):
    owner = MembershipFactory(role=Role.OWNER)
    with pytest.raises(ValidationError) as caught:
        integrator_pricing_update(organization=owner.organization, actor=owner.user, data={field: value})
    assert field in caught.value.message_dict
    assert IntegratorPricing.objects.get(organization=owner.organization).as_dict() == pytest.approx(
        platform_pricing()
    )


@pytest.mark.django_db
def test_the_database_refuses_a_negative_margin_written_around_the_model():
    pricing = integrator_pricing_get(organization=MembershipFactory().organization)
    with pytest.raises(IntegrityError), transaction.atomic():
        IntegratorPricing.objects.filter(pk=pricing.pk).update(margin_pct=Decimal("-3"))


# --- API overrides ---------------------------------------------------------------------------------------

VIABILITY = "/api/v1/engineering/viability/"


def _payload(**changes):
    data = analysis_data(**changes)
    data["protocol_date"] = data["protocol_date"].isoformat()
    return data


@pytest.mark.django_db
def test_api_accepts_pricing_overrides_and_refuses_bad_ones(member_client, offline):
    solar_catalog()
    # when the margin and the freight are set for this analysis
    ok = member_client.post(
        VIABILITY,
        _payload(assumptions={"margin_pct": 12, "freight_pct": 0, "validity_days": 30}),
        format="json",
    )
    # then
    assert ok.status_code == 201, ok.data
    inv = ok.data["result"]["investment"]
    assert inv["margin"] == pytest.approx(inv["cost"] * 0.12, abs=0.02)
    assert inv["freight"] == 0
    assert ok.data["context"]["pricing"]["validity_days"] == 30
    # when the values are out of range
    bad = member_client.post(
        VIABILITY, _payload(assumptions={"margin_pct": -5, "service_tax_pct": 80}), format="json"
    )
    # then a 400 with the fields
    assert bad.status_code == 400
    assert set(bad.data["assumptions"]) == {"margin_pct", "service_tax_pct"}


# --- the proposal: total with margin, validity, no margin ---------------------------------------------


@pytest.mark.django_db
def test_proposal_shows_the_total_and_validity_but_not_the_margin(offline):
    from engineering.proposal import proposal_context

    # given an integrator with a 30% margin and 20-day validity
    solar_catalog()
    owner = MembershipFactory(role=Role.OWNER)
    integrator_pricing_update(
        organization=owner.organization, actor=owner.user, data={"margin_pct": 30, "validity_days": 20}
    )
    analysis = viability_analysis_create(data=analysis_data(), organization=owner.organization)
    inv = analysis.result["investment"]
    # when the proposal HTML is rendered (what WeasyPrint turns into the PDF)
    with translation.override("pt-br"):
        html = render_to_string("engineering/proposal.html", proposal_context(analysis))
    # then the customer sees the total (margin included) and until when it holds
    until = timezone.localdate() + timedelta(days=20)
    assert format_brl(analysis.total_investment) in html
    assert f"válido até {until:%d/%m/%Y}" in html
    # and never the margin, the cost or the tax
    for secret in (inv["margin"], inv["cost"], inv["tax"]):
        assert format_brl(secret) not in html
    assert "margem" not in html.lower()


# --- admin ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_and_searches_by_organization(admin_client):
    # given two organizations with settings
    first = integrator_pricing_get(
        organization=MembershipFactory(organization__trade_name="Sol Forte").organization
    )
    integrator_pricing_get(
        organization=MembershipFactory(organization__trade_name="Vento Leste").organization
    )
    # when staff search the list
    response = admin_client.get("/admin/engineering/integratorpricing/", {"q": "Sol Forte"})
    # then
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [first]
    assert admin_client.get(f"/admin/engineering/integratorpricing/{first.pk}/change/").status_code == 200

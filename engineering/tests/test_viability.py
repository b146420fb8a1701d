"""Viability math against hand-computed cases: Lei 14.300 Fio B schedule, minimum billing,
simultaneity, credit allocation across consumer units, credit expiry, payback, the cash flow."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from engineering.finance import irr, npv
from engineering.viability import (
    Allocation,
    ConsumerUnit,
    Costs,
    FinancingPlan,
    GdRegime,
    ViabilityInputs,
    fio_b_pct,
    gd_regime,
    minimum_billing_kwh,
    payback_years,
    scee_simulate,
    viability_compute,
)

GD1_PROTOCOL = date(2022, 11, 30)
GD2_PROTOCOL = date(2025, 3, 10)
LATE_PROTOCOL = date(2023, 4, 1)


@pytest.mark.parametrize(
    ("year", "pct"),
    [(2023, 15), (2024, 30), (2025, 45), (2026, 60), (2027, 75), (2028, 90), (2029, 100), (2040, 100)],
)
def test_fio_b_schedule_by_year_for_new_systems(year, pct):
    assert fio_b_pct(year=year, protocol_date=GD2_PROTOCOL) == Decimal(pct)


def test_grandfathered_systems_pay_no_fio_b_until_2045():
    # given a request filed before 07/01/2023 (direito adquirido, art. 26)
    # then
    assert gd_regime(GD1_PROTOCOL) == GdRegime.GD1
    assert gd_regime(date(2023, 1, 6)) == GdRegime.GD1
    assert [fio_b_pct(year=y, protocol_date=GD1_PROTOCOL) for y in (2023, 2030, 2045)] == [0, 0, 0]
    assert fio_b_pct(year=2046, protocol_date=GD1_PROTOCOL) == 100


def test_requests_in_the_13th_to_18th_month_stay_at_90_pct_until_2030():
    assert gd_regime(LATE_PROTOCOL) == GdRegime.GD2_LATE
    assert gd_regime(date(2023, 1, 8)) == GdRegime.GD2_LATE
    assert gd_regime(date(2023, 7, 8)) == GdRegime.GD2
    assert [int(fio_b_pct(year=y, protocol_date=LATE_PROTOCOL)) for y in (2028, 2029, 2030, 2031)] == [
        90,
        90,
        90,
        100,
    ]


def test_art17_share_after_the_transition_is_a_parameter():
    assert fio_b_pct(year=2030, protocol_date=GD2_PROTOCOL, after_transition_pct=Decimal(70)) == 70


def test_minimum_billing_by_connection_type():
    assert [minimum_billing_kwh(c) for c in ("mono", "bi", "tri")] == [30, 50, 100]
    with pytest.raises(ValueError):
        minimum_billing_kwh("quad")


def one_unit(consumption=1000.0, min_kwh=100, tariff=1.0, fio_b=0.30):
    return ConsumerUnit(
        name="UC", monthly_kwh=[consumption] * 12, min_kwh=min_kwh, tariff_rs_kwh=tariff, fio_b_rs_kwh=fio_b
    )


def simulate(
    units, generation=1000.0, simultaneity=0.0, protocol=GD1_PROTOCOL, years=1, start=date(2026, 1, 1), **kw
):
    return scee_simulate(
        generation_monthly_kwh=[generation] * 12,
        units=units,
        simultaneity=simultaneity,
        years=years,
        start=start,
        protocol_date=protocol,
        tariff_inflation=kw.pop("tariff_inflation", 0.0),
        annual_degradation_pct=0.0,
        **kw,
    )


def test_minimum_billing_is_never_compensated_three_phase_example():
    # given a three-phase unit drawing 1,000 kWh with 1,000 kWh injected every month
    # when
    year = simulate([one_unit()])[0]
    first = year.months[0][0]
    # then it compensates 900 kWh, pays the 100 kWh minimum and keeps 100 kWh of credit a month
    assert first.compensated_kwh == pytest.approx(900)
    assert first.billed_kwh == pytest.approx(100)
    unit = year.units[0]
    assert unit.compensated_kwh == pytest.approx(10_800)
    assert unit.credit_balance_kwh == pytest.approx(1_200)
    assert unit.bill_without_rs == pytest.approx(12_000)
    assert unit.bill_with_rs == pytest.approx(1_200)  # grandfathered: no Fio B
    assert unit.savings_rs == pytest.approx(10_800)


def test_single_phase_minimum_is_30_kwh():
    year = simulate([one_unit(min_kwh=30)])[0]
    assert year.months[0][0].compensated_kwh == pytest.approx(970)


def test_consumption_below_the_minimum_pays_the_minimum():
    # given a unit consuming 60 kWh on a three-phase connection (minimum 100 kWh)
    year = simulate([one_unit(consumption=60)])[0]
    # then nothing is compensated and the bill is the minimum, with or without solar
    assert year.units[0].compensated_kwh == 0
    assert year.units[0].bill_without_rs == pytest.approx(1_200)
    assert year.units[0].bill_with_rs == pytest.approx(1_200)


def test_fio_b_is_charged_on_compensated_energy_by_the_year_share():
    # given a GD II system in 2026 (60% of Fio B = 0.30 R$/kWh)
    year = simulate([one_unit()], protocol=GD2_PROTOCOL)[0]
    month = year.months[0][0]
    # then 900 kWh × 0.30 × 60% = R$ 162 of Fio B; bill = 100 kWh × R$ 1 + 162
    assert year.fio_b_pct == 60
    assert month.fio_b_rs == pytest.approx(162)
    assert month.bill_with_rs == pytest.approx(262)


def test_self_consumed_energy_avoids_the_full_tariff_and_pays_no_fio_b():
    # given 30% simultaneity: 300 kWh used at once, 700 kWh injected
    year = simulate([one_unit()], simultaneity=0.3, protocol=GD2_PROTOCOL)[0]
    month = year.months[0][0]
    # then the grid draw is 700, 600 of it compensated (minimum 100), 100 kWh credit kept
    assert month.self_consumed_kwh == pytest.approx(300)
    assert month.compensated_kwh == pytest.approx(600)
    assert month.fio_b_rs == pytest.approx(600 * 0.30 * 0.60)
    assert year.units[0].credit_balance_kwh == pytest.approx(1_200)


def test_tariff_inflation_raises_the_second_year_bill():
    years = simulate([one_unit()], years=2, tariff_inflation=0.10)
    assert years[1].units[0].bill_without_rs == pytest.approx(years[0].units[0].bill_without_rs * 1.10)


def test_credits_expire_after_60_months():
    # given a unit that cannot compensate anything (consumption = minimum)
    years = simulate([one_unit(consumption=30, min_kwh=30)], years=6)
    # then nothing expires in the first five years and year 1's credits expire in year 6
    assert [round(y.units[0].credits_expired_kwh) for y in years] == [0, 0, 0, 0, 0, 12_000]
    assert years[5].units[0].credit_balance_kwh == pytest.approx(60_000)


def shared_units(share_a=60.0, share_b=40.0):
    generator = ConsumerUnit("Casa", [200.0] * 12, 30, 1.0, 0.3)
    a = ConsumerUnit("Loja", [400.0] * 12, 50, 0.9, 0.25, share_pct=share_a, priority=1)
    b = ConsumerUnit("Sítio", [300.0] * 12, 30, 1.1, 0.35, share_pct=share_b, priority=2)
    return [generator, a, b]


def test_credit_allocation_by_percent_across_units():
    # given 1,000 kWh injected: the generator's unit compensates 170 first, 830 are surplus
    # when
    year = simulate(shared_units(), allocation=Allocation.PERCENT)[0]
    first = [unit_months[0] for unit_months in year.months]
    # then 60% → 498 kWh to the shop (compensates 350), 40% → 332 kWh to the farm (compensates 270)
    assert [m.compensated_kwh for m in first] == pytest.approx([170, 350, 270])
    assert [m.credits_received_kwh for m in first] == pytest.approx([170, 498, 332])
    assert [u.credit_balance_kwh for u in year.units] == pytest.approx([0, 148 * 12, 62 * 12])
    # each unit is billed at its own tariff: shop 50 kWh × 0.9, farm 30 kWh × 1.1
    assert first[1].bill_with_rs == pytest.approx(45)
    assert first[2].bill_with_rs == pytest.approx(33)


def test_unallocated_percent_stays_with_the_generator():
    year = simulate(shared_units(50.0, 40.0), allocation=Allocation.PERCENT)[0]
    first = [unit_months[0] for unit_months in year.months]
    assert [m.credits_received_kwh for m in first] == pytest.approx([170 + 83, 415, 332])


def test_credit_allocation_by_priority_order():
    # when
    year = simulate(shared_units(), allocation=Allocation.PRIORITY)[0]
    first = [unit_months[0] for unit_months in year.months]
    # then the shop (priority 1) takes what it can compensate (350), the farm 270, the rest (210)
    # stays with the generator
    assert [m.credits_received_kwh for m in first] == pytest.approx([170 + 210, 350, 270])
    assert [m.compensated_kwh for m in first] == pytest.approx([170, 350, 270])
    assert year.units[0].credit_balance_kwh == pytest.approx(210 * 12)


def test_payback_hand_case():
    # given R$ 10.000 returning R$ 3.000 a year
    # then simple payback 3.33 years; discounted at 10%: 4 + (10000 − 9509.59) / 1862.76
    assert payback_years(10_000, [3_000] * 5) == pytest.approx(10 / 3)
    discounted = [3_000 / 1.1**t for t in range(1, 6)]
    assert payback_years(10_000, discounted) == pytest.approx(4.2633, abs=1e-4)
    assert payback_years(10_000, [1_000] * 5) is None


def inputs(**changes):
    base = {
        "generation_per_kwp_monthly": [140, 130, 130, 115, 105, 95, 105, 120, 120, 130, 135, 140],
        "kwp": 5.5,
        "units": [ConsumerUnit("Casa", [600.0] * 12, 50, 1.05, 0.32)],
        "costs": Costs(equipment=12_000, inverter=4_000, installation_rs_wp=0.8, homologation_fee=1_200),
        "protocol_date": date(2026, 3, 1),
        "start": date(2026, 3, 1),
        "roof_area_needed_m2": 30,
        "roof_area_available_m2": 45,
    }
    base.update(changes)
    return ViabilityInputs(**base)


def test_viability_compute_is_consistent():
    # when
    result = viability_compute(inputs())
    # then the investment adds up
    inv = result["investment"]
    assert inv["installation"] == pytest.approx(0.8 * 5500)
    assert inv["total"] == pytest.approx(12_000 + 4_400 + 1_200)
    # the metrics are those of the cash flow
    flows = [-inv["total"], *[row["net"] for row in result["cashflow"]]]
    assert result["metrics"]["irr"] == pytest.approx(irr(flows), abs=1e-3)
    assert result["metrics"]["npv"] == pytest.approx(npv(0.10, flows), abs=1.0)
    assert len(result["cashflow"]) == 25
    # inverter replaced in year 12; degradation lowers generation every year
    assert result["cashflow"][11]["replacement"] == pytest.approx(4_000)
    gens = [row["generation_kwh"] for row in result["cashflow"]]
    assert all(a > b for a, b in itertools.pairwise(gens))
    # 2026 is 60% of Fio B for this GD II system
    assert result["energy"]["fio_b_pct_year1"] == 60
    assert 0 <= result["score"] <= 100
    assert {f["key"] for f in result["factors"]} == {
        "payback",
        "economic",
        "irradiation",
        "consumption",
        "roof",
    }
    assert result["is_viable"] is True
    assert {s["key"] for s in result["scenarios"]} == {"base", "smaller", "larger"}
    larger = next(s for s in result["scenarios"] if s["key"] == "larger")
    assert larger["investment"] > inv["total"]
    # no roof analysis yet: a site survey comes first
    assert result["next_steps"][0]["step"] == "site_survey"
    assert viability_compute(inputs(has_roof_analysis=True))["next_steps"][0]["step"] == "proposal"


def test_financed_scenario_pays_the_down_payment_upfront():
    # given a financing plan with 20% down at 1.49% a.m. in 60 months
    plan = FinancingPlan(monthly_rate=Decimal("0.0149"), months=60, down_payment_pct=20)
    # when
    result = viability_compute(inputs(financing=plan))
    # then
    financed = next(s for s in result["scenarios"] if s["key"] == "financed")
    assert financed["upfront"] == pytest.approx(result["investment"]["total"] * 0.2, abs=0.01)
    assert Decimal(financed["financing"]["cet_annual_pct"]) > Decimal("19.4")  # above 1.49% a.m. nominal
    assert result["financed_cashflow"][0]["loan"] > 0
    assert result["financed_cashflow"][6]["loan"] == 0  # paid off after 5 years
    assert any(step["step"] == "credit_analysis" for step in result["next_steps"])


def test_tiny_consumption_is_not_recommended_and_flags_the_minimum_billing_risk():
    # given a three-phase unit consuming 120 kWh (minimum 100)
    result = viability_compute(inputs(units=[ConsumerUnit("Casa", [120.0] * 12, 100, 1.0, 0.3)], kwp=1.1))
    # then
    assert result["recommendation"] in {"marginal", "not_recommended"}
    assert "low_consumption" in {r["type"] for r in result["risks"]}


# --- the service: inputs gathered from the catalog, tariffs and irradiation, then persisted -------


@pytest.fixture
def offline(settings):
    settings.PVGIS_ENABLED = False
    settings.VIACEP_URL = "http://127.0.0.1:9/ws/"


@pytest.mark.django_db
def test_analysis_is_sized_with_catalog_products_and_persisted(offline):
    from engineering.models import SolarViabilityAnalysis
    from engineering.services import viability_analysis_create
    from engineering.tests.catalog_setup import analysis_data, solar_catalog

    # given
    catalog = solar_catalog()
    # when
    analysis = viability_analysis_create(data=analysis_data())
    # then
    assert SolarViabilityAnalysis.objects.count() == 1
    assert analysis.organization is None and analysis.uuid
    assert analysis.sizing["module"]["id"] == catalog.module.pk
    assert analysis.module_count == analysis.sizing["module_count"]
    assert analysis.system_kwp == Decimal(analysis.module_count * 550) / 1000
    assert analysis.sizing["inverter"]["id"] in {p.pk for p in catalog.inverters}
    assert all(c["status"] != "fail" for c in analysis.sizing["checks"])
    # the tariff: (472.42 + 316.96)/1000 with SP ICMS and PIS/COFINS "por dentro"
    assert analysis.tariff_rs_kwh > Decimal("0.78938")
    assert analysis.context["generation"]["source"] == "atlas-capitals"  # PVGIS off → shipped table
    # the price adds up: equipment, BOS, freight, installation, homologation, other, margin and tax
    inv = analysis.result["investment"]
    parts = ("equipment", "bos", "freight", "installation", "homologation", "other", "margin", "tax")
    assert float(analysis.total_investment) == pytest.approx(sum(inv[p] for p in parts), abs=0.05)
    assert (analysis.equipment_cost, analysis.installation_cost, analysis.homologation_cost) == tuple(
        Decimal(str(inv[p])).quantize(Decimal("0.01")) for p in ("equipment", "installation", "homologation")
    )
    assert analysis.result["energy"]["fio_b_pct_year1"] in (60, 75, 90, 100)
    assert {s["key"] for s in analysis.result["scenarios"]} == {"base", "smaller", "larger", "financed"}
    assert 0 <= analysis.viability_score <= 100
    assert analysis.simple_payback_years > 0


@pytest.mark.django_db
def test_bill_input_is_converted_with_the_tariff(offline):
    from engineering.services import viability_analysis_create
    from engineering.tests.catalog_setup import analysis_data, solar_catalog

    solar_catalog()
    analysis = viability_analysis_create(data=analysis_data(monthly_kwh=None, bill_brl=Decimal("500")))
    assert analysis.consumption_input == "bill"
    expected = 500 / float(analysis.tariff_rs_kwh)
    assert analysis.monthly_consumption_kwh[0] == pytest.approx(expected, abs=0.1)


@pytest.mark.django_db
def test_shared_credits_give_a_result_per_unit(offline):
    from engineering.services import viability_analysis_create
    from engineering.tests.catalog_setup import analysis_data, solar_catalog

    solar_catalog()
    analysis = viability_analysis_create(
        data=analysis_data(
            target_offset_pct=Decimal("160"),
            credit_allocation="percent",
            beneficiaries=[
                {"name": "Loja", "average_kwh": 300, "connection_type": "tri", "share_pct": 70},
                {
                    "name": "Sítio",
                    "average_kwh": 150,
                    "connection_type": "mono",
                    "share_pct": 30,
                    "tariff_rs_kwh": 0.95,
                },
            ],
        )
    )
    units = analysis.result["units"]
    assert [u["name"] for u in units][1:] == ["Loja", "Sítio"]
    assert units[1]["min_kwh"] == 100 and units[2]["min_kwh"] == 30
    assert units[1]["credits_received_kwh"] > 0 and units[2]["credits_received_kwh"] > 0
    assert units[2]["tariff_rs_kwh"] == pytest.approx(0.95)
    assert analysis.annual_savings == pytest.approx(
        Decimal(sum(u["savings"] for u in units)), abs=Decimal("0.05")
    )


@pytest.mark.django_db
def test_failed_sizing_stores_nothing(offline):
    from engineering.models import SolarViabilityAnalysis
    from engineering.services import viability_analysis_create
    from engineering.sizing import CatalogEmpty
    from engineering.tests.factories import TariffFactory, UtilityFactory

    TariffFactory(utility=UtilityFactory(sig_agente="ELETROPAULO", states=["SP"]))
    with pytest.raises(CatalogEmpty):
        viability_analysis_create(
            data={
                "lat": -23.55,
                "lon": -46.63,
                "utility": "ELETROPAULO",
                "average_kwh": 400,
                "connection_type": "bi",
            }
        )
    assert SolarViabilityAnalysis.objects.count() == 0


@pytest.mark.django_db
def test_recompute_uses_current_prices(offline):
    from engineering.services import viability_analysis_create, viability_analysis_recompute
    from engineering.tests.catalog_setup import analysis_data, solar_catalog

    catalog = solar_catalog()
    analysis = viability_analysis_create(data=analysis_data())
    before = analysis.equipment_cost
    catalog.module.min_price = Decimal("589.00")
    catalog.module.save()
    again = viability_analysis_recompute(analysis=analysis)
    assert again.pk == analysis.pk
    assert again.equipment_cost < before


def test_payback_of_a_financed_flow_counts_the_last_crossing():
    # given no upfront, two years of installments above the savings, then positive years
    # then cumulative −100, −200, +300 → crosses in year 3 at 2 + 200/500
    assert payback_years(0, [-100, -100, 500]) == pytest.approx(2.4)
    assert payback_years(0, [100, 100]) == 0.0
    assert payback_years(0, [100, -300]) is None

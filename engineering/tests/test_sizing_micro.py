"""Micro-inverter sizing: the module × micro checks at the site temperatures (hand-computed), units and
leftover inputs, AC branch circuits, the string/micro/auto topologies, the catalog selection, and the
analysis API and portal showing the micro-inverter layout."""

import math
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from catalog.models.taxonomy import ProductKind
from catalog.tests.factories import ProductFactory
from engineering.analysis_inputs import AnalysisInputError, Site, system_size
from engineering.models import SolarViabilityAnalysis
from engineering.portal.forms import CalculatorForm
from engineering.proposal import proposal_context
from engineering.sizing import (
    CatalogEmpty,
    InverterData,
    MicroInverterData,
    ModuleData,
    SizingError,
    catalog_inverters,
    catalog_micro_inverters,
    micro_checks,
    site_temperatures,
    system_design,
)
from engineering.tests.catalog_setup import JA_550, analysis_data, growatt, solar_catalog

# Hoymiles HMS-2000-4T as the catalog fixtures list it: 4 inputs, MPPT 16–60 V, 14 A per input.
HMS_2000 = {
    "ac_power_w": 2000,
    "max_dc_power_w": 2700,
    "mppt_count": 4,
    "mppt_min_v": 16,
    "mppt_max_v": 60,
    "max_dc_voltage_v": 60,
    "start_voltage_v": 22,
    "max_input_current_a": 14,
    "phases": 1,
    "grid_voltage_v": 220,
    "efficiency_pct": 96.7,
    "inverter_type": "micro",
    "modules_per_unit": 4,
}
# APsystems DS3: 2 inputs, MPPT 28–45 V (too narrow for a 72-cell module on a cold morning).
DS3 = {
    "ac_power_w": 880,
    "max_dc_power_w": 1188,
    "mppt_count": 2,
    "mppt_min_v": 28,
    "mppt_max_v": 45,
    "max_dc_voltage_v": 60,
    "start_voltage_v": 25,
    "max_input_current_a": 20,
    "phases": 1,
    "grid_voltage_v": 220,
    "inverter_type": "micro",
    "modules_per_unit": 2,
}
# A 410 Wp, 108 half-cell module.
MODULE_410 = {
    "power_w": 410,
    "voc_v": 37.1,
    "vmp_v": 31.0,
    "imp_a": 13.23,
    "isc_a": 13.9,
    "temp_coeff_voc_pct": -0.27,
    "temp_coeff_pmax_pct": -0.35,
    "length_mm": 1722,
    "width_mm": 1134,
}
GROWATT_5000 = growatt(5)


@pytest.fixture(autouse=True)
def english():
    """The texts are asserted in English; one test checks the pt-BR translation."""
    with translation.override("en"):
        yield


def module(specs=JA_550, **extra):
    return ModuleData.from_specs(specs, id=1, name="JAM72S30-550/MR", price=650.0, **extra)


def micro(specs=HMS_2000, name="HMS-2000-4T", price=2650.0, **extra):
    return MicroInverterData.from_specs(specs, id=2, name=name, price=price, **extra)


def by_code(checks):
    return {c.code: c for c in checks}


def sp():
    return site_temperatures(state="SP", noct_c=45)


# --- micro-inverter data ---------------------------------------------------------------------------


def test_inputs_per_unit_come_from_the_spec_then_the_mppt_count_then_one():
    # given the same micro with and without modules_per_unit and MPPT count
    without_inputs = {k: v for k, v in HMS_2000.items() if k != "modules_per_unit"}
    bare = {k: v for k, v in without_inputs.items() if k != "mppt_count"}
    # then
    assert micro().inputs_per_unit == 4 and "modules_per_unit" not in micro().assumed
    assert micro(without_inputs).inputs_per_unit == 4
    assert "modules_per_unit" in micro(without_inputs).assumed
    assert micro(bare).inputs_per_unit == 1
    # maximum power per input: 2,700 W DC ÷ 4 inputs
    assert micro().max_input_power_w == pytest.approx(675)
    # a string inverter's specs are not a micro-inverter, and a micro is not a string inverter
    assert MicroInverterData.from_specs({**HMS_2000, "inverter_type": "string"}, id=3, name="x") is None
    assert InverterData.from_specs(HMS_2000, id=3, name="x") is None


def test_branch_limit_from_the_datasheet_or_the_assumed_trunk_current():
    # given no datasheet limit: 2,000 W / 220 V = 9.09 A per unit; 20 A per branch → 2 units
    assert micro().units_per_branch == 2
    assert "max_units_per_branch" in micro().assumed
    # a three-phase 2 kW unit at 380 V: 2,000 / (√3 × 380) = 3.04 A per phase → 6 units
    three_phase = micro({**HMS_2000, "phases": 3, "grid_voltage_v": 380})
    assert three_phase.ac_current_a == pytest.approx(3.0387, abs=1e-3)
    assert three_phase.units_per_branch == 6
    # the datasheet value wins
    assert micro({**HMS_2000, "max_units_per_branch": 3}).units_per_branch == 3


# --- checks ----------------------------------------------------------------------------------------


def test_voc_of_a_410_wp_module_at_minus_2_c_against_a_60_v_micro():
    # given a −2 °C design minimum: Voc = 37.1 × (1 + (−0.0027) × (−2 − 25)) = 37.1 × 1.0729 = 39.80 V
    temps = site_temperatures(state="SP", t_min_c=-2, noct_c=45)
    # when
    checks = by_code(micro_checks(module=module(MODULE_410), micro=micro(), module_count=4, temps=temps))
    # then
    assert checks["voc_cold"].value == pytest.approx(39.80, abs=0.01)
    assert checks["voc_cold"].limit == 60
    assert checks["voc_cold"].status == "pass"
    assert "39.80" in checks["voc_cold"].detail and "60" in checks["voc_cold"].detail
    # Vmp at the hot cell 37 + 25 × 1.25 = 68.25 °C: 31.0 × (1 − 0.0035 × 43.25) = 26.31 V ≥ 16 V
    assert checks["vmp_hot"].value == pytest.approx(26.31, abs=0.01)
    assert checks["vmp_hot"].status == "pass"
    # Voc at the hot cell: 37.1 × (1 − 0.0027 × 43.25) = 32.77 V ≥ 22 V start-up
    assert checks["start_voltage"].value == pytest.approx(32.77, abs=0.01)
    assert checks["start_voltage"].status == "pass"


def test_a_voltage_limit_below_the_cold_voc_fails():
    # given a micro whose inputs take at most 39 V (hypothetical), same −2 °C site: 39.80 V > 39 V
    low = micro({**HMS_2000, "max_dc_voltage_v": 39, "mppt_max_v": 38})
    temps = site_temperatures(state="SP", t_min_c=-2, noct_c=45)
    checks = by_code(micro_checks(module=module(MODULE_410), micro=low, module_count=4, temps=temps))
    assert checks["voc_cold"].status == "fail"


def test_four_550_wp_modules_on_a_2_kw_four_input_micro_are_a_1_1_dc_ac():
    # when
    checks = by_code(micro_checks(module=module(), micro=micro(), module_count=4, temps=sp()))
    # then 4 × 550 / 2,000 = 1.10, inside 0.9–1.35; 550 Wp ≤ 675 W per input; nothing left empty
    assert checks["dc_ac"].value == pytest.approx(1.1)
    assert checks["dc_ac"].status == "pass"
    assert checks["input_power"].status == "pass"
    assert (checks["leftover_inputs"].value, checks["leftover_inputs"].status) == (0, "pass")
    # Imp 13.11 A ≤ 14 A; Isc 14.00 A = 14 A input (no short-circuit limit given)
    assert checks["current"].status == "pass"
    assert checks["short_circuit"].status == "pass"
    assert all(c.status == "pass" for c in checks.values())


def test_ten_modules_on_four_input_micros_need_three_units_with_two_inputs_left():
    # when
    result = system_design(
        modules=[module()], inverters=[], micro_inverters=[micro()], kwp=5.4, temps=sp(), topology="micro"
    )
    # then ceil(5,400 / 550) = 10 modules, ceil(10 / 4) = 3 units, 12 − 10 = 2 inputs empty
    design = result.design
    assert (design.module_count, design.inverter_count, design.leftover_inputs) == (10, 3, 2)
    assert design.dc_ac_ratio == pytest.approx(5500 / 6000)
    assert design.equipment_cost == pytest.approx(10 * 650 + 3 * 2650)
    layout = result.as_dict()["micro_layout"]
    assert layout["groups"] == [{"units": 2, "modules_per_unit": 4}, {"units": 1, "modules_per_unit": 2}]
    assert layout["leftover_inputs"] == 2
    # 2 units per branch (assumed) → 3 units on 2 branch circuits
    assert (layout["branch_circuits"], layout["branches"], layout["branch_limit_source"]) == (
        2,
        [2, 1],
        "assumed",
    )
    as_dict = result.as_dict()
    assert as_dict["topology"] == "micro"
    assert as_dict["strings_layout"] == [] and as_dict["strings"] is None
    assert as_dict["inverters_cost"] == pytest.approx(3 * 2650)
    # the empty inputs are a warning of the result, not a failure
    assert any("2 input(s) left empty" in w for w in result.warnings)
    # area: 10 × 2.279 × 1.134 × 1.10
    assert result.roof_area_needed_m2 == pytest.approx(10 * 2.279 * 1.134 * 1.10)


def test_the_roof_limits_the_modules_on_micro_inverters():
    # given 20 m² and 2.279 × 1.134 × 1.10 = 2.843 m² per module → 7 modules
    result = system_design(
        modules=[module()],
        inverters=[],
        micro_inverters=[micro()],
        kwp=5.4,
        temps=sp(),
        roof_area_m2=20,
        topology="micro",
    )
    # then 7 modules on ceil(7/4) = 2 units, 1 input empty
    assert (result.design.module_count, result.design.inverter_count, result.design.leftover_inputs) == (
        7,
        2,
        1,
    )
    assert result.roof_limited is True


def test_current_above_the_input_is_a_warning_then_a_failure():
    # given a 12 A input: Imp 13.11 / 12 = 1.09 (within the 25% tolerance), 16 / 12 = 1.33 (beyond)
    twelve = micro({**HMS_2000, "max_input_current_a": 12})
    warned = by_code(micro_checks(module=module(), micro=twelve, module_count=4, temps=sp()))
    strong = ModuleData.from_specs(
        {**JA_550, "power_w": 600, "vmp_v": 37.5, "imp_a": 16.0, "isc_a": 16.8}, id=5, name="16 A"
    )
    failed = by_code(micro_checks(module=strong, micro=twelve, module_count=4, temps=sp()))
    # then
    assert warned["current"].status == "warn"
    # Isc 14.00 A over a 12 A input, no short-circuit limit in the catalog: confirm on the datasheet
    assert warned["short_circuit"].status == "warn" and "datasheet" in warned["short_circuit"].detail
    assert failed["current"].status == "fail"
    # with the datasheet's 25 A short-circuit limit the Isc passes
    rated = micro({**HMS_2000, "max_input_current_a": 12, "max_short_circuit_current_a": 25})
    assert (
        by_code(micro_checks(module=module(), micro=rated, module_count=4, temps=sp()))[
            "short_circuit"
        ].status
        == "pass"
    )


def test_a_small_single_input_micro_cannot_take_a_550_wp_module():
    # given an Enphase-like 300 W single-input micro, 420 W DC maximum
    small = micro(
        {**HMS_2000, "ac_power_w": 300, "max_dc_power_w": 420, "modules_per_unit": 1, "mppt_min_v": 27},
        name="IQ8PLUS",
    )
    checks = by_code(micro_checks(module=module(), micro=small, module_count=10, temps=sp()))
    # then 550 Wp > 420 W per input, and DC/AC 550 / 300 = 1.83 > 1.35
    assert checks["input_power"].status == "fail"
    assert checks["dc_ac"].value == pytest.approx(1.833, abs=1e-3)
    assert checks["dc_ac"].status == "fail"


def test_three_phase_micro_on_a_single_phase_service_fails():
    three_phase = micro({**HMS_2000, "phases": 3, "grid_voltage_v": 380}, name="QT2")
    checks = by_code(
        micro_checks(module=module(), micro=three_phase, module_count=4, temps=sp(), connection_type="mono")
    )
    assert checks["phases"].status == "fail"


def test_an_incompatible_pair_is_explained():
    # given the 550 Wp module on an APsystems DS3 (MPPT up to 45 V) in São Paulo:
    # Vmp at 1 °C = 41.96 × (1 + 0.0035 × 24) = 45.48 V > 45 V
    with pytest.raises(SizingError) as exc:
        system_design(
            modules=[module()],
            inverters=[],
            micro_inverters=[micro(DS3, name="DS3")],
            kwp=5.4,
            temps=sp(),
            topology="micro",
        )
    # then
    assert exc.value.status_code == 400
    assert exc.value.extra["failed_check"] == "vmp_cold"
    candidate = exc.value.extra["candidates"][0]
    assert (candidate["topology"], candidate["inverter"]) == ("micro", "DS3")
    failed = {f["code"]: f for f in candidate["failed"]}
    assert failed["vmp_cold"]["value"] == pytest.approx(45.48, abs=0.01)
    assert "45.48" in failed["vmp_cold"]["detail"] and "45" in failed["vmp_cold"]["detail"]


def test_checks_are_explained_in_portuguese():
    # when the 10-module design's checks are written in pt-BR
    with translation.override("pt-br"):
        checks = by_code(micro_checks(module=module(), micro=micro(), module_count=10, temps=sp()))
    # then Voc at 1 °C = 49.90 × (1 + 0.00275 × 24) = 53.19 V, and 3 × 4 − 10 = 2 inputs empty
    assert checks["voc_cold"].detail.startswith("Voc do módulo a 1 °C: 53.19 V")
    assert "2 entrada(s) vazia(s)" in checks["leftover_inputs"].detail


# --- topologies ------------------------------------------------------------------------------------


def string_inverter(price=3900.0):
    return InverterData.from_specs(GROWATT_5000, id=9, name="MIN 5000TL-X", price=price)


def test_string_topology_is_the_default_and_ignores_micro_inverters():
    result = system_design(
        modules=[module()],
        inverters=[string_inverter()],
        micro_inverters=[micro(price=10.0)],
        kwp=5.4,
        temps=sp(),
    )
    assert result.design.topology == "string"
    assert result.as_dict()["micro_layout"] is None


def test_auto_keeps_the_cheaper_design_per_wp_and_shows_the_other():
    # given 10 × 550 Wp: strings 10 × 650 + 3,900 = 10,400 (1.891 R$/Wp);
    # micros 10 × 650 + 3 × 2,650 = 14,450 (2.627 R$/Wp)
    common = {
        "modules": [module()],
        "inverters": [string_inverter()],
        "kwp": 5.4,
        "temps": sp(),
        "topology": "auto",
    }
    result = system_design(**common, micro_inverters=[micro()])
    assert result.design.topology == "string"
    assert result.as_dict()["equipment_cost_per_wp"] == pytest.approx(10400 / 5500, abs=1e-4)
    [alternative] = result.alternatives
    assert (alternative["topology"], alternative["equipment_cost"]) == ("micro", pytest.approx(14450))
    # when the micro costs R$ 900: 10 × 650 + 3 × 900 = 9,200 (1.673 R$/Wp) < 1.891
    cheap = system_design(**common, micro_inverters=[micro(price=900.0)])
    assert cheap.design.topology == "micro"
    assert cheap.alternatives[0]["topology"] == "string"
    assert cheap.alternatives[0]["equipment_cost"] == pytest.approx(10400)
    # unless only the string inverter is in stock
    out_of_stock = system_design(**common, micro_inverters=[micro(price=900.0, in_stock=False)])
    assert out_of_stock.design.topology == "string"


def test_auto_without_any_valid_design_explains_both_topologies():
    three_phase = InverterData.from_specs({**GROWATT_5000, "phases": 3}, id=3, name="Tri", price=4000.0)
    with pytest.raises(SizingError) as exc:
        system_design(
            modules=[module()],
            inverters=[three_phase],
            micro_inverters=[micro(DS3, name="DS3")],
            kwp=5.4,
            temps=sp(),
            connection_type="mono",
            topology="auto",
        )
    assert exc.value.extra["failed_check_by_topology"] == {"string": "phases", "micro": "vmp_cold"}
    assert {c["topology"] for c in exc.value.extra["candidates"]} == {"string", "micro"}
    assert "phases" in str(exc.value.message) and "vmp_cold" in str(exc.value.message)


def test_micro_topology_without_micro_inverters_and_an_unknown_topology_are_clear_errors():
    with pytest.raises(CatalogEmpty):
        system_design(modules=[module()], inverters=[string_inverter()], kwp=5, temps=sp(), topology="micro")
    with pytest.raises(SizingError) as exc:
        system_design(
            modules=[module()], inverters=[string_inverter()], kwp=5, temps=sp(), topology="central"
        )
    assert "topology" in exc.value.extra


# --- catalog and analysis inputs -------------------------------------------------------------------


def micro_product(specs=HMS_2000, **extra):
    return ProductFactory(
        kind=ProductKind.MICROINVERTER,
        name=extra.pop("name", "Microinversor Hoymiles HMS-2000-4T 2000W 4 Módulos 220V"),
        specs=specs,
        power_w=Decimal(specs["ac_power_w"]),
        phases=extra.pop("phases", specs.get("phases")),
        min_price=extra.pop("min_price", Decimal("2650.00")),
        in_stock=extra.pop("in_stock", True),
        **extra,
    )


@pytest.mark.django_db
def test_catalog_micro_inverters_are_selected_by_kind_or_inverter_type():
    # given a micro-inverter, one listed as an inverter with inverter_type micro, a three-phase micro,
    # one without price, and a string inverter
    hoymiles = micro_product()
    as_inverter = ProductFactory(
        kind=ProductKind.INVERTER,
        name="listed as inverter",
        specs=HMS_2000,
        phases=1,
        min_price=Decimal("2700"),
        in_stock=True,
    )
    micro_product({**HMS_2000, "phases": 3, "grid_voltage_v": 380}, name="QT2", phases=3)
    micro_product(name="no price", min_price=None)
    string = ProductFactory(
        kind=ProductKind.INVERTER, name="string", specs=GROWATT_5000, phases=1, min_price=Decimal("3900")
    )
    # when
    single_phase = catalog_micro_inverters(connection_type="mono")
    # then
    assert [m.name for m in single_phase] == [hoymiles.name, as_inverter.name]  # R$ per AC W
    assert len(catalog_micro_inverters(connection_type="tri")) == 3
    assert [i.id for i in catalog_inverters()] == [string.pk]


def site():
    return Site(lat=-23.55, lon=-46.63, city="São Paulo", state="SP", source="input", note="")


def size(**changes):
    args = {
        "site": site(),
        "monthly_kwh": [600] * 12,
        "min_kwh": 50,
        "offset_pct": 100,
        "specific_yield": 1200,
        "connection_type": "bi",
        "roof_area_m2": None,
        "module_id": None,
        "inverter_id": None,
        "t_min_c": None,
        "t_max_c": None,
    }
    return system_size(**{**args, **changes})


@pytest.mark.django_db
def test_system_size_honours_the_topology_and_the_kind_of_the_chosen_inverter():
    # given the JA 550 module, a 5 kW string inverter and the Hoymiles micro
    ProductFactory(specs=JA_550, min_price=Decimal("650"), in_stock=True)
    string = ProductFactory(
        kind=ProductKind.INVERTER, specs=GROWATT_5000, phases=1, min_price=Decimal("3900"), in_stock=True
    )
    hoymiles = micro_product()
    # when: (600 − 50) × 12 kWh / 1,200 kWh/kWp = 5.5 kWp → 10 modules
    as_micro = size(topology="micro")
    # then
    assert (as_micro.design.topology, as_micro.design.inverter_count) == ("micro", 3)
    assert size(topology="string").design.topology == "string"
    # auto: strings are cheaper per Wp here (see the topology tests)
    assert size().design.topology == "string"
    # a micro-inverter chosen by id sizes as micro in auto, and contradicts the string topology
    assert size(inverter_id=hoymiles.pk).design.topology == "micro"
    with pytest.raises(AnalysisInputError) as exc:
        size(inverter_id=hoymiles.pk, topology="string")
    assert exc.value.field == "inverter_id"
    with pytest.raises(AnalysisInputError) as exc:
        size(inverter_id=string.pk, topology="micro")
    assert exc.value.field == "inverter_id"


# --- API and portal --------------------------------------------------------------------------------

VIABILITY = "/api/v1/engineering/viability/"


@pytest.fixture
def offline(settings):
    settings.PVGIS_ENABLED = False


def payload(**changes):
    data = analysis_data(**changes)
    data["protocol_date"] = data["protocol_date"].isoformat()
    return data


@pytest.mark.django_db
@pytest.mark.urls("engineering.tests.urls")
def test_viability_api_sizes_with_micro_inverters_and_returns_their_layout(member_client, client, offline):
    # given the demo-like catalog plus the Hoymiles micro-inverter
    solar_catalog()
    hoymiles = micro_product()
    # when
    response = member_client.post(
        VIABILITY, payload(topology="micro", inverter_id=hoymiles.pk), format="json"
    )
    # then
    assert response.status_code == 201, response.data
    sizing = response.data["sizing"]
    assert sizing["topology"] == "micro"
    assert sizing["inverter"]["id"] == hoymiles.pk
    layout = sizing["micro_layout"]
    modules = sizing["module_count"]
    assert layout["inputs_per_unit"] == 4
    assert layout["units"] == sizing["inverter_count"] == math.ceil(modules / 4)
    assert layout["leftover_inputs"] == layout["units"] * 4 - modules
    assert sum(g["units"] * g["modules_per_unit"] for g in layout["groups"]) == modules
    assert sum(layout["branches"]) == layout["units"]
    assert sizing["ac_kw"] == pytest.approx(layout["units"] * 2.0)
    assert all(c["status"] != "fail" for c in sizing["checks"])
    analysis = SolarViabilityAnalysis.objects.get(pk=response.data["id"])
    assert analysis.inverter_count == layout["units"]
    # and the portal shows the units instead of strings
    client.force_login(member_client.membership.user)
    page = client.get(reverse("engineering_portal:detail", args=[analysis.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{layout['units']} × micro-inverter {hoymiles.name} (4 modules each)" in html
    assert 'data-testid="micro-layout"' in html
    # and so does the proposal
    with translation.override("en"):
        proposal = render_to_string("engineering/proposal.html", proposal_context(analysis))
    assert f"{hoymiles.name} ({layout['inputs_per_unit']} modules each)" in proposal
    assert "string box" not in proposal and "AC branch circuit" in proposal


@pytest.mark.django_db
def test_viability_api_topology_micro_is_used_even_when_strings_are_cheaper(member_client, offline):
    # given string inverters that are cheaper per Wp than the micro-inverter
    solar_catalog()
    micro_product()
    # when
    response = member_client.post(VIABILITY, payload(topology="micro"), format="json")
    # then
    assert response.status_code == 201, response.data
    assert response.data["sizing"]["topology"] == "micro"
    # and a recompute keeps the chosen topology
    recomputed = member_client.post(f"{VIABILITY}{response.data['id']}/recompute/")
    assert recomputed.status_code == 200
    assert recomputed.data["sizing"]["topology"] == "micro"


@pytest.mark.django_db
def test_viability_api_rejects_an_unknown_topology(member_client, offline):
    solar_catalog()
    response = member_client.post(VIABILITY, payload(topology="central"), format="json")
    assert response.status_code == 400
    assert "topology" in response.data


def test_calculator_form_passes_the_topology_with_auto_by_default():
    base = {
        "lat": "-23.5505",
        "lon": "-46.6333",
        "connection_type": "bi",
        "average_kwh": "550",
        "target_offset_pct": "100",
        "tilt_deg": "20",
        "azimuth_deg": "0",
        "simultaneity_pct": "30",
        "tariff_inflation_pct": "5",
        "discount_rate_pct": "10",
        "installation_rs_wp": "0.80",
        "credit_allocation": "percent",
        "b1_connection": "bi",
        "b2_connection": "bi",
    }
    form = CalculatorForm(base)
    assert form.is_valid(), form.errors
    assert form.service_data()["topology"] == "auto"
    chosen = CalculatorForm({**base, "topology": "micro"})
    assert chosen.is_valid(), chosen.errors
    assert chosen.service_data()["topology"] == "micro"
    assert not CalculatorForm({**base, "topology": "central"}).is_valid()

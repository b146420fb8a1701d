"""Sizing: the string-window checks with a real module/inverter pair (JA Solar JAM72S30-550/MR on a
Growatt MIN 5000TL-X), the search, the roof limit, and the catalog selection."""

from decimal import Decimal

import pytest

from catalog.models.taxonomy import ProductKind
from catalog.tests.factories import ProductFactory
from engineering.sizing import (
    CatalogEmpty,
    InverterData,
    ModuleData,
    SizingError,
    catalog_inverters,
    catalog_modules,
    configuration_checks,
    design_search,
    site_temperatures,
    system_design,
    target_kwp,
)

# JA Solar JAM72S30-550/MR datasheet.
JA_550 = {
    "power_w": 550,
    "voc_v": 49.90,
    "isc_a": 14.00,
    "vmp_v": 41.96,
    "imp_a": 13.11,
    "temp_coeff_voc_pct": -0.275,
    "temp_coeff_pmax_pct": -0.35,
    "noct_c": 45,
    "length_mm": 2279,
    "width_mm": 1134,
}
# Growatt MIN 5000TL-X datasheet (window as in the issue: MPPT 80–500 V, 550 V max DC).
GROWATT_5000 = {
    "ac_power_w": 5000,
    "max_dc_power_w": 7000,
    "mppt_count": 2,
    "strings_per_mppt": 1,
    "mppt_min_v": 80,
    "mppt_max_v": 500,
    "max_dc_voltage_v": 550,
    "start_voltage_v": 100,
    "max_input_current_a": 12.5,
    "max_short_circuit_current_a": 16,
    "phases": 1,
}


def module(**extra):
    return ModuleData.from_specs(JA_550, id=1, name="JAM72S30-550/MR", price=620.0, **extra)


def inverter(**extra):
    return InverterData.from_specs(GROWATT_5000, id=2, name="MIN 5000TL-X", price=3900.0, **extra)


def by_code(checks):
    return {c.code: c for c in checks}


def test_site_temperatures_for_sao_paulo():
    # given SP design ambient 1 °C / 37 °C and NOCT 45 °C
    temps = site_temperatures(state="SP", noct_c=45)
    # then the hot cell is 37 + (45 − 20) × 1.25 = 68.25 °C
    assert temps.cold_cell_c == 1
    assert temps.hot_cell_c == pytest.approx(68.25, abs=0.06)
    assert temps.source == "state:SP"


def test_ten_modules_per_string_pass_the_voltage_window_in_sao_paulo():
    # given Voc at 1 °C = 49.90 × (1 + 0.00275 × 24) = 53.193 V → 10 × = 531.9 V ≤ 550 V
    temps = site_temperatures(state="SP", noct_c=45)
    # when
    checks = by_code(
        configuration_checks(
            module=module(),
            inverter=inverter(),
            inverter_count=1,
            modules_per_string=10,
            strings=1,
            temps=temps,
        )
    )
    # then
    assert checks["voc_cold"].status == "pass"
    assert checks["voc_cold"].value == pytest.approx(531.9, abs=0.1)
    # Vmp at 1 °C = 41.96 × 1.084 = 45.485 V → 454.8 V ≤ 500 V
    assert checks["vmp_cold"].value == pytest.approx(454.8, abs=0.1)
    assert checks["vmp_cold"].status == "pass"
    # Vmp at 68.25 °C = 41.96 × (1 − 0.0035 × 43.25) = 35.608 V → 356.1 V ≥ 100 V (start)
    assert checks["vmp_hot"].value == pytest.approx(356.1, abs=0.1)
    assert checks["vmp_hot"].status == "pass"
    # Imp 13.11 A over a 12.5 A input: the inverter limits the current (warning, not failure)
    assert checks["current"].status == "warn"
    assert checks["short_circuit"].status == "pass"  # 14.00 A ≤ 16 A
    assert checks["dc_ac"].value == pytest.approx(1.1)


def test_eleven_modules_in_one_string_exceed_the_maximum_dc_voltage():
    # given 11 × 53.193 V = 585.1 V > 550 V, and 11 × 45.485 = 500.3 V > 500 V MPPT max
    temps = site_temperatures(state="SP", noct_c=45)
    # when
    checks = by_code(
        configuration_checks(
            module=module(),
            inverter=inverter(),
            inverter_count=1,
            modules_per_string=11,
            strings=1,
            temps=temps,
        )
    )
    # then
    assert checks["voc_cold"].status == "fail"
    assert checks["voc_cold"].value == pytest.approx(585.1, abs=0.1)
    assert "550" in checks["voc_cold"].detail
    assert checks["vmp_cold"].status == "fail"


def test_a_colder_site_lowers_the_cold_string_limit():
    # given −15 °C (an input override): Voc = 49.90 × 1.11 = 55.389 V → 10 × = 553.9 V > 550 V
    temps = site_temperatures(state="SP", t_min_c=-15, noct_c=45)
    checks = by_code(
        configuration_checks(
            module=module(),
            inverter=inverter(),
            inverter_count=1,
            modules_per_string=10,
            strings=1,
            temps=temps,
        )
    )
    assert checks["voc_cold"].status == "fail"
    assert temps.source == "input"


def test_two_modules_per_string_stay_below_the_start_voltage():
    temps = site_temperatures(state="SP", noct_c=45)
    checks = by_code(
        configuration_checks(
            module=module(),
            inverter=inverter(),
            inverter_count=1,
            modules_per_string=2,
            strings=1,
            temps=temps,
        )
    )
    assert checks["vmp_hot"].status == "fail"  # 71.2 V < 100 V start voltage


def test_search_finds_two_strings_of_five_for_ten_modules():
    # when
    design, checks = design_search(
        module=module(), inverter=inverter(), module_count=10, temps=site_temperatures(state="SP", noct_c=45)
    )
    # then
    assert design is not None
    assert (design.modules_per_string, design.strings, design.inverter_count) == (5, 2, 1)
    assert design.strings_layout == [
        {"inverter": 1, "mppt": 1, "strings": 1, "modules_per_string": 5},
        {"inverter": 1, "mppt": 2, "strings": 1, "modules_per_string": 5},
    ]
    assert all(c.status != "fail" for c in checks)


def test_search_adds_an_inverter_when_the_dc_ac_ratio_is_too_high():
    # given 16 modules (8.8 kWp): one 5 kW inverter is 1.76, two are 0.88 — both out of 0.9–1.35
    design, _checks = design_search(
        module=module(), inverter=inverter(), module_count=16, temps=site_temperatures(state="SP", noct_c=45)
    )
    # then two inverters with 18 modules (0.99)
    assert design.inverter_count == 2
    assert design.module_count == 18
    assert design.dc_ac_ratio == pytest.approx(0.99)


def test_no_valid_configuration_names_the_failed_check():
    # given a three-phase inverter on a single-phase service
    three_phase = InverterData.from_specs({**GROWATT_5000, "phases": 3}, id=3, name="Tri", price=4000.0)
    # when
    with pytest.raises(SizingError) as exc:
        system_design(
            modules=[module()],
            inverters=[three_phase],
            kwp=5.5,
            temps=site_temperatures(state="SP"),
            connection_type="mono",
        )
    # then
    assert exc.value.extra["failed_check"] == "phases"
    assert exc.value.extra["candidates"][0]["inverter"] == "Tri"
    assert exc.value.status_code == 400


def test_empty_catalog_is_a_clear_error():
    with pytest.raises(CatalogEmpty) as exc:
        system_design(modules=[], inverters=[inverter()], kwp=5, temps=site_temperatures(state="SP"))
    assert exc.value.code == "catalog_empty"


def test_roof_limits_the_module_count():
    # given 20 m² and 2.279 × 1.134 × 1.10 = 2.843 m² per module → 7 modules fit
    result = system_design(
        modules=[module()],
        inverters=[
            inverter(),
            InverterData.from_specs(
                {**GROWATT_5000, "ac_power_w": 3000, "max_dc_power_w": 4500},
                id=9,
                name="MIN 3000TL-X",
                price=2900.0,
            ),
        ],
        kwp=5.5,
        temps=site_temperatures(state="SP", noct_c=45),
        roof_area_m2=20,
    )
    # then
    assert result.design.module_count <= 7
    assert result.roof_limited is True
    assert result.roof_area_needed_m2 <= 20
    assert result.warnings


def test_target_kwp_ignores_the_minimum_billing():
    # given 500 kWh/month, two-phase (50 kWh minimum), 1,400 kWh/kWp/year
    assert target_kwp(
        monthly_kwh=[500] * 12, min_kwh=50, offset_pct=100, specific_yield=1400
    ) == pytest.approx(450 * 12 / 1400)


@pytest.mark.django_db
def test_catalog_selection_prefers_in_stock_and_cheapest_per_wp():
    # given three modules: cheap out of stock, dearer in stock, in stock without electrical data
    ProductFactory(specs=JA_550, min_price=Decimal("500"), in_stock=False, name="cheap")
    ProductFactory(specs=JA_550, min_price=Decimal("650"), in_stock=True, name="stock")
    ProductFactory(specs={"power_w": 550}, min_price=Decimal("400"), in_stock=True, name="no-data")
    ProductFactory(specs=JA_550, min_price=None, in_stock=True, name="no-price")
    ProductFactory(
        kind=ProductKind.INVERTER,
        specs=GROWATT_5000,
        min_price=Decimal("3900"),
        in_stock=True,
        phases=1,
        power_w=5000,
        name="inv",
    )
    ProductFactory(
        kind=ProductKind.INVERTER,
        specs={**GROWATT_5000, "phases": 3},
        min_price=Decimal("3000"),
        in_stock=True,
        phases=3,
        power_w=5000,
        name="tri",
    )
    # when
    modules = catalog_modules()
    inverters = catalog_inverters(connection_type="mono")
    # then
    assert [m.name for m in modules] == ["stock", "cheap"]
    assert [i.name for i in inverters] == ["inv"]
    assert len(catalog_inverters(connection_type="tri")) == 2
    result = system_design(modules=modules, inverters=inverters, kwp=5.4, temps=site_temperatures(state="SP"))
    assert result.design.module.name == "stock"
    assert result.as_dict()["equipment_cost"] == pytest.approx(10 * 650 + 3900)

"""Real products for the analysis tests: modules and inverters with their datasheet values, offers'
best price on the product (as the catalog pipeline denormalizes it), a B1 tariff for ELETROPAULO."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from catalog.models.taxonomy import ProductKind
from catalog.tests.factories import ProductFactory
from engineering.tests.factories import TariffFactory, UtilityFactory

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
    "efficiency_pct": 21.3,
}


def growatt(ac_kw: float, *, phases: int = 1) -> dict:
    return {
        "ac_power_w": ac_kw * 1000,
        "max_dc_power_w": ac_kw * 1000 * 1.4,
        "mppt_count": 2,
        "strings_per_mppt": 1,
        "mppt_min_v": 80,
        "mppt_max_v": 500,
        "max_dc_voltage_v": 550,
        "start_voltage_v": 100,
        "max_input_current_a": 13.5,
        "phases": phases,
        "efficiency_pct": 98.4,
    }


@dataclass
class SolarCatalog:
    module: object
    inverters: list
    utility: object
    tariff: object


def solar_catalog() -> SolarCatalog:
    module = ProductFactory(
        name="Módulo JA Solar JAM72S30-550/MR", specs=JA_550, min_price=Decimal("689.00"), in_stock=True
    )
    inverters = [
        ProductFactory(
            kind=ProductKind.INVERTER,
            name=f"Inversor Growatt MIN {kw}000TL-X",
            specs=growatt(kw),
            power_w=Decimal(kw * 1000),
            phases=1,
            min_price=Decimal(price),
            in_stock=True,
        )
        for kw, price in ((3, "2890.00"), (5, "3890.00"), (6, "4390.00"))
    ]
    utility = UtilityFactory(sig_agente="ELETROPAULO", name="Enel SP", states=["SP"], cnpj="61695227000193")
    tariff = TariffFactory(
        utility=utility,
        resolution="REH Nº 3.477, de 1/7/2025",
        tusd_rs_mwh=Decimal("472.42"),
        te_rs_mwh=Decimal("316.96"),
        valid_from=date.today() - timedelta(days=60),
        valid_to=date.today() + timedelta(days=300),
    )
    return SolarCatalog(module=module, inverters=inverters, utility=utility, tariff=tariff)


def analysis_data(**changes) -> dict:
    data = {
        "title": "Residência Silva",
        "lat": -23.5505,
        "lon": -46.6333,
        "utility": "ELETROPAULO",
        "connection_type": "bi",
        "monthly_kwh": [620, 580, 600, 540, 500, 470, 480, 510, 530, 560, 590, 640],
        "tilt_deg": 20,
        "azimuth_deg": 0,
        "roof_area_m2": 60,
        "protocol_date": date.today(),
    }
    data.update(changes)
    return data

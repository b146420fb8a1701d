"""Validate: absurd values are rejected with reasons, optional bad fields dropped with warnings,
and the quality score follows its documented weights."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline.types import NormalizedListing
from catalog.pipeline.validate import QUALITY_WEIGHTS, QualityFacts, listing_validate, quality_score

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _reasons_in_english():
    """Reasons go through gettext (pt-BR in the admin); the assertions read the English msgids."""
    with translation.override("en"):
        yield


def module(**changes) -> NormalizedListing:
    listing = NormalizedListing(
        external_id="M-1",
        kind=K.MODULE,
        category_slug="modulos-monofaciais",
        brand_name="JA Solar",
        brand_known=True,
        model_code="JAM72S30-550/MR",
        model_key="JAM72S30550",
        title="Painel Solar JA Solar 550W JAM72S30-550/MR",
        name="Módulo Fotovoltaico JA Solar JAM72S30-550/MR",
        price=Decimal("389.90"),
        description="Módulo monocristalino half-cell de 550 W, eficiência de 21,3%, para usinas e telhados.",
        specs={
            "power_w": 550,
            "efficiency_pct": 21.3,
            "voc_v": 49.9,
            "isc_a": 14.0,
            "vmp_v": 41.96,
            "imp_a": 13.11,
        },
        images=["https://cdn.example.com/jam72s30.jpg"],
        datasheet_url="https://cdn.example.com/jam72s30.pdf",
        inmetro_registration="083796/2023",
        inmetro_valid_until="2028-05-17",
        warranty_years=12,
        performance_warranty_years=25,
    )
    return replace(listing, **changes)


def test_a_sound_module_is_accepted():
    verdict = listing_validate(module(), today=TODAY)
    assert verdict.accepted, verdict.reasons
    assert verdict.warnings == []


@pytest.mark.parametrize(
    ("price", "needle"),
    [
        (None, "price missing"),
        (Decimal("0"), "price must be positive"),
        (Decimal("-389.90"), "price must be positive"),
        (Decimal("27.50"), "per wp"),  # R$ 0,05/Wp
        (Decimal("27500.00"), "per wp"),  # R$ 50/Wp
        (Decimal("0.10"), "outside R$"),
    ],
)
def test_absurd_prices_are_rejected_with_a_reason(price, needle):
    verdict = listing_validate(module(price=price), today=TODAY)
    assert not verdict.accepted
    assert any(needle in reason for reason in verdict.reasons), verdict.reasons


@pytest.mark.parametrize("power", [0, -550, 50_000])
def test_absurd_module_power_is_rejected(power):
    verdict = listing_validate(module(specs={"power_w": power}), today=TODAY)
    assert not verdict.accepted
    assert any(reason.startswith("power_w") for reason in verdict.reasons), verdict.reasons


def test_missing_required_spec_is_rejected():
    verdict = listing_validate(module(specs={"efficiency_pct": 21.3}), today=TODAY)
    assert not verdict.accepted
    assert any("power_w" in reason for reason in verdict.reasons)


def test_per_kind_bands_battery_and_inverter():
    battery = NormalizedListing(
        external_id="B", kind=K.BATTERY, category_slug="baterias-litio", brand_name="Pylontech",
        brand_known=True,
        model_code="US5000", model_key="US5000", title="Bateria", name="Bateria", price=Decimal("9800"),
        specs={"capacity_kwh": 4.8},
    )  # fmt: skip
    assert listing_validate(battery, today=TODAY).accepted
    assert not listing_validate(replace(battery, price=Decimal("98")), today=TODAY).accepted  # R$ 20/kWh
    inverter = replace(battery, kind=K.INVERTER, specs={"ac_power_w": 5000}, price=Decimal("4990"))
    assert listing_validate(inverter, today=TODAY).accepted
    assert not listing_validate(replace(inverter, price=Decimal("499000")), today=TODAY).accepted


def test_a_price_jump_against_the_current_offer_is_rejected():
    verdict = listing_validate(module(price=Decimal("3899.00")), current_price=Decimal("389.90"), today=TODAY)
    assert not verdict.accepted
    assert any("kept the current price" in reason for reason in verdict.reasons)
    assert listing_validate(
        module(price=Decimal("359.90")), current_price=Decimal("389.90"), today=TODAY
    ).accepted


def test_optional_invalid_fields_are_dropped_with_warnings_not_rejected():
    # given an efficiency of 213% (a missing comma) and Vmp above Voc
    specs = {
        "power_w": 550,
        "efficiency_pct": 213,
        "voc_v": 41.0,
        "vmp_v": 49.9,
        "isc_a": 14.0,
        "imp_a": 13.1,
    }

    # when
    verdict = listing_validate(module(specs=specs), today=TODAY)

    # then the listing stays, the bad values go, and why is kept
    assert verdict.accepted
    assert "efficiency_pct" not in verdict.specs
    assert "vmp_v" not in verdict.specs and "voc_v" not in verdict.specs
    assert verdict.specs["power_w"] == 550
    assert any("efficiency_pct" in w for w in verdict.warnings)
    assert any("Vmp must be lower than Voc" in w for w in verdict.warnings)


def test_quality_score_weights():
    full = QualityFacts(
        kind=K.MODULE,
        specs={
            "power_w": 550, "efficiency_pct": 21.3, "voc_v": 49.9, "isc_a": 14.0, "vmp_v": 41.96,
            "imp_a": 13.11,
            "temp_coeff_pmax_pct": -0.35, "length_mm": 2278, "width_mm": 1134, "weight_kg": 28.6,
            "cell_type": "perc", "bifacial": False,
        },
        has_price=True, warranty_years=12, inmetro_registration="083796/2023",
        inmetro_valid_until=date(2028, 5, 17), images=2, datasheet=True, description="x" * 80,
    )  # fmt: skip
    assert sum(QUALITY_WEIGHTS.values()) == 100
    assert quality_score(full, today=TODAY) == 100
    assert quality_score(replace(full, has_price=False), today=TODAY) == 100 - QUALITY_WEIGHTS["price"]
    assert quality_score(replace(full, images=0, datasheet=False), today=TODAY) == 80
    expired = replace(full, inmetro_valid_until=date(2025, 1, 1))
    assert quality_score(expired, today=TODAY) == 100 - QUALITY_WEIGHTS["certification"]
    half_specs = replace(full, specs={k: v for i, (k, v) in enumerate(full.specs.items()) if i < 6})
    assert quality_score(half_specs, today=TODAY) == 100 - QUALITY_WEIGHTS["specs"] // 2
    # a cable needs no INMETRO registration: certification points are not withheld
    cable = replace(full, kind=K.CABLE, specs={"section_mm2": 6}, inmetro_registration="")
    assert quality_score(cable, today=TODAY) == 100

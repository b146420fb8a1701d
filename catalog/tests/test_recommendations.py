"""Recommendations: string sizing, compatible components, similar products (vector and SQL
fallback) and frequently bought together."""

import pytest

from catalog.models import Product
from catalog.models.taxonomy import ProductKind
from catalog.recommendations import (
    Source,
    compatible_components,
    frequently_bought_together,
    similar_products,
)
from catalog.stringing import micro_design, module_electrical, string_design
from catalog.tests.search_catalog import CATALOG
from catalog.tests.search_factories import fresh_local_caches, indexed_catalog, unused_loopback_port

pytestmark = pytest.mark.django_db

K = ProductKind


@pytest.fixture(autouse=True)
def _fresh_local_caches():
    yield from fresh_local_caches()


@pytest.fixture(scope="module")
def catalog(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from indexed_catalog(django_db_blocker, tmp_path_factory.mktemp("qdrant"))


def specs_of(code: str) -> dict:
    return next(item["specs"] for item in CATALOG if item["code"] == code)


JA_550 = specs_of("JAM72S30-550/MR")
PRIMO_5 = specs_of("PRIMO 5.0-1")


# --- string sizing (pure) -------------------------------------------------------------------


def test_module_voltages_at_design_temperatures():
    electrical = module_electrical(JA_550)

    # Voc rises 0.27 %/°C × 20 °C below STC; Vmp falls 0.35 %/°C × 45 °C above it
    assert electrical.voc_cold_v == pytest.approx(49.90 * (1 + 0.0027 * 20))
    assert electrical.vmp_hot_v == pytest.approx(41.96 * (1 - 0.0035 * 45))
    assert electrical.assumed == ()


def test_string_design_fits_window_voltage_current_and_dc_ac_ratio():
    design = string_design(module=JA_550, inverter=PRIMO_5)

    # 10 modules give the DC/AC ratio closest to 1.15 (1.1); as 1 × 10 or 2 × 5 (2 MPPTs with one
    # string each: 18 A fits one 13.11 A string, not two), the single string wins the tie
    assert (design.strings, design.modules_per_string) == (1, 10)
    assert design.dc_ac_ratio == pytest.approx(5500 / 5000)
    assert design.string_voc_cold_v <= PRIMO_5["max_dc_voltage_v"]
    assert design.string_vmp_hot_v >= PRIMO_5["mppt_min_v"]
    # every legal string length: 3 (80 V / 35.35 V) up to 17 (800 V / Vmp at 5 °C)
    assert (design.min_modules_per_string, design.max_modules_per_string) == (3, 17)


def test_string_design_for_a_given_module_count():
    eleven = string_design(module=JA_550, inverter=PRIMO_5, module_count=11)
    assert (eleven.strings, eleven.modules_per_string) == (1, 11)
    # 14 modules = 7.7 kWp on 5 kW: DC/AC 1.54, too much
    assert string_design(module=JA_550, inverter=PRIMO_5, module_count=14) is None


def test_string_design_refuses_when_the_mppt_current_is_too_low():
    deye = specs_of("SUN-5K-SG03LP1-EU")  # 13 A per MPPT, the module's Imp is 13.11 A
    assert string_design(module=JA_550, inverter=deye) is None


def test_string_design_refuses_when_no_string_length_fits_the_window():
    narrow = {**PRIMO_5, "mppt_min_v": 400, "mppt_max_v": 420, "max_dc_voltage_v": 450}
    # 400 V needs 12 hot modules, but 450 V allows 8 cold ones
    assert string_design(module=JA_550, inverter=narrow) is None


def test_string_design_assumes_typical_coefficients_when_missing():
    bare = {k: v for k, v in JA_550.items() if not k.startswith("temp_coeff")}

    design = string_design(module=bare, inverter=PRIMO_5)

    assert set(design.assumed) == {"temp_coeff_voc_pct", "temp_coeff_pmax_pct"}


def test_micro_design():
    hoymiles = specs_of("HMS-2000-4T")
    enphase = specs_of("IQ8PLUS-72-2-US")

    # 4 × 550 W on 2000 W: DC/AC 1.1
    design = micro_design(module=JA_550, micro=hoymiles)
    assert design.modules == 4 and design.dc_ac_ratio == pytest.approx(1.1)
    # a 290 W micro-inverter cannot take a 550 W module (DC/AC 1.9)
    assert micro_design(module=JA_550, micro=enphase) is None


# --- compatible components ------------------------------------------------------------------


def test_compatible_inverters_of_a_module(catalog):
    result = compatible_components(product=catalog["JAM72S30-550/MR"], limit=50)

    assert result.source == Source.RULES
    found = {item.product_id: item for item in result.items}
    assert catalog["PRIMO 5.0-1"].id in found
    assert found[catalog["PRIMO 5.0-1"].id].details["modules"] == 10
    assert catalog["HMS-2000-4T"].id in found  # micro-inverters too
    assert catalog["SUN-5K-SG03LP1-EU"].id not in found  # MPPT current too low
    assert catalog["IQ8PLUS-72-2-US"].id not in found  # far too small
    assert all(0.8 <= item.details["dc_ac_ratio"] <= 1.35 for item in result.items)


def test_compatible_modules_of_an_inverter(catalog):
    result = compatible_components(product=catalog["PRIMO 5.0-1"], limit=50)

    kinds = set(
        Product.objects.filter(id__in=[i.product_id for i in result.items]).values_list("kind", flat=True)
    )
    assert kinds == {K.MODULE}
    assert catalog["JAM72S30-550/MR"].id in {i.product_id for i in result.items}
    assert all(item.role == "module" for item in result.items)


def test_compatible_parts_of_a_kit_are_structures_for_its_roof_and_rated_string_boxes(catalog):
    kit = catalog["KIT-FRO-5.5"]

    result = compatible_components(product=kit)

    by_role = {}
    for item in result.items:
        by_role.setdefault(item.role, []).append(item)
    structures = Product.objects.filter(id__in=[i.product_id for i in by_role["structure"]])
    assert {s.specs["roof_type"] for s in structures} == {"cerâmico"}
    assert by_role["structure"][0].details["quantity"] == 3  # 10 modules, 4 per structure
    # one string of 10 modules, 526 V on a cold morning: both boxes are rated for it
    design = by_role["string_box"][0].details["design"]
    assert (design["strings"], design["modules_per_string"]) == (1, 10)
    assert design["string_voc_cold_v"] == pytest.approx(10 * 49.90 * 1.054, abs=0.1)
    boxes = Product.objects.filter(id__in=[i.product_id for i in by_role["string_box"]])
    assert {b.model_code for b in boxes} == {"SB-1000-2E1S", "SB-600-1E1S"}


def test_kit_string_boxes_must_be_rated_for_the_string_voltage(catalog):
    # given the 600 V box downrated to 500 V, below the kit's 526 V string
    box = catalog["SB-600-1E1S"]
    Product.objects.filter(id=box.id).update(specs={**box.specs, "max_voltage_v": 500})

    result = compatible_components(product=catalog["KIT-FRO-5.5"])

    assert box.id not in result.product_ids
    assert catalog["SB-1000-2E1S"].id in result.product_ids


def test_compatible_hybrid_inverters_of_a_battery(catalog):
    result = compatible_components(product=catalog["US5000"], limit=20)

    inverters = Product.objects.filter(id__in=[i.product_id for i in result.items])
    assert inverters and all(p.specs["inverter_type"] == "hybrid" for p in inverters)


def test_cables_have_no_compatibility_rules(catalog):
    assert compatible_components(product=catalog["AFUMEX-6-PT"]).source == Source.NOT_APPLICABLE


# --- similar products -----------------------------------------------------------------------


def test_similar_products_are_vector_neighbours_of_the_same_kind_and_power_band(catalog):
    module = catalog["JAM72S30-550/MR"]

    result = similar_products(product=module)

    assert result.source == Source.VECTOR and result.items
    similar = Product.objects.filter(id__in=result.product_ids)
    assert module.id not in result.product_ids
    assert all(p.kind == K.MODULE and 440 <= p.power_w <= 660 for p in similar)


def test_similar_products_fall_back_to_sql_when_the_index_is_down(catalog, settings):
    settings.QDRANT_URL = f"http://127.0.0.1:{unused_loopback_port()}"
    settings.QDRANT_TIMEOUT = 1
    battery = catalog["US5000"]

    result = similar_products(product=battery)

    assert result.source == Source.SQL and "unavailable" in result.note
    similar = list(Product.objects.filter(id__in=result.product_ids))
    assert similar and all(p.kind == K.BATTERY and 3360 <= p.energy_wh <= 6240 for p in similar)
    # nearest capacity first
    first = Product.objects.get(id=result.product_ids[0])
    assert abs(first.energy_wh - battery.energy_wh) == min(
        abs(p.energy_wh - battery.energy_wh) for p in similar
    )


# --- frequently bought together -------------------------------------------------------------


def test_frequently_bought_together_is_empty_until_associations_are_computed(catalog):
    # given no association computed (catalog/tests/test_baskets.py covers the computed ones)
    result = frequently_bought_together(product_id=catalog["PRIMO 5.0-1"].id)

    # then the set is there, empty, and says why
    assert result.source == Source.BASKETS and result.items == []
    assert result.note

"""Normalize: units, brand aliases, model codes and keys, kinds and categories, specs, INMETRO and
warranty — on ListingData written the way Brazilian distributors write them."""

from decimal import Decimal

import pytest
from django.utils import translation

from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline import units
from catalog.pipeline.compliance import ence_parse, inmetro_parse, warranty_parse
from catalog.pipeline.model_codes import model_code_extract, model_key
from catalog.pipeline.normalize import kind_detect, listing_normalize, reference_from_rows
from catalog.reference import BRANDS
from catalog.tests.factories import listing_data


@pytest.fixture(autouse=True)
def _reasons_in_english():
    """Reasons go through gettext (pt-BR in the admin); the assertions read the English msgids."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def reference():
    brands = [(pk, ref.name) for pk, ref in enumerate(BRANDS, start=1)]
    aliases = [(alias, pk) for pk, ref in enumerate(BRANDS, start=1) for alias in ref.aliases]
    return reference_from_rows(brands, aliases, [])


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("550W", "w", "550"),
        ("550 Wp", "w", "550"),
        ("0,55 kWp", "w", "550"),
        ("5 kW", "w", "5000"),
        ("5000 W", "w", "5000"),
        ("5.000 W", "w", "5000"),
        ("8,2kW", "w", "8200"),
        ("5,12 kWh", "wh", "5120"),
        ("4mm²", "mm2", "4"),
        ("6 mm2", "mm2", "6"),
        ("21,3%", "%", "21.3"),
        ("1,8 kV", "v", "1800"),
        ("13,9 A", "a", "13.9"),
        ("Rolo 100m", "m", "100"),
        ("28,6 kg", "kg", "28.6"),
    ],
)
def test_quantities_in_base_units(text, unit, expected):
    # when
    value = units.quantity_first(text, unit)

    # then
    assert value == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("0,55", "0.55"),
        ("5.000", "5000"),
        ("1.5", "1.5"),
        ("R$ 12.499,00", "12499.00"),
        ("-0,35", "-0.35"),
        ("abc", None),
        ("1.2.3,4.5", None),
    ],
)
def test_brazilian_and_english_decimals(text, expected):
    assert units.decimal_parse(text) == (Decimal(expected) if expected else None)


def test_energy_from_charge_and_voltage_and_the_preposition_is_not_amperes():
    assert units.energy_wh_parse("Bateria 100Ah 48V") == Decimal("4800")
    assert units.energy_wh_parse("Bateria Lítio 5,12 kWh") == Decimal("5120")
    assert units.current_a_parse("faixa de 40 a 560 V") is None
    assert units.range_parse("Faixa MPPT: 80 - 550V") == (Decimal(80), Decimal(550))
    assert units.dimensions_mm_parse("2278 x 1134 x 35 mm") == (Decimal(2278), Decimal(1134), Decimal(35))


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("JA", "JA Solar"),
        ("JASolar", "JA Solar"),
        ("Ja Solar", "JA Solar"),
        ("CANADIAN", "Canadian Solar"),
        ("Canadian Solar Inc.", "Canadian Solar"),
        ("TRINA", "Trina Solar"),
        ("Trinasolar", "Trina Solar"),
        ("LONGI", "LONGi"),
        ("Longi Green", "LONGi"),
        ("JINKO", "Jinko Solar"),
        ("Solis (Ginlong)", "Solis"),
        ("Ginlong", "Solis"),
        ("Astronergy (Chint)", "Astronergy"),
        ("K2 Systems GmbH", "K2 Systems"),
        ("Growatt New Energy Co., Ltd", "Growatt"),
        ("Stäubli Electrical Connectors", "Stäubli"),
    ],
)
def test_brand_aliases(reference, spelling, canonical):
    assert reference.brand_lookup(spelling).name == canonical


@pytest.mark.parametrize(
    ("title", "model", "brand", "code", "key"),
    [
        ("Painel Solar 550W Mono Half Cell JA Solar JAM72S30", "", "JA Solar", "JAM72S30", "JAM72S30550"),
        ("Módulo JA Solar JAM72S30-550/MR 550W", "", "JA Solar", "JAM72S30-550/MR", "JAM72S30550"),
        ("Inv. Growatt MIN 5000TL-X 5kW Mono 220V", "", "Growatt", "MIN 5000TL-X", "MIN5000TLX"),
        ("Inversor Growatt 5kW", "MIN5000TL-X", "Growatt", "MIN5000TL-X", "MIN5000TLX"),
        ("Inversor Híbrido Deye SUN-5K-SG04LP1-EU 5kW", "", "Deye", "SUN-5K-SG04LP1-EU", "SUN5KSG04LP1EU"),
        ("Microinversor Hoymiles HMS-2000-4T 2000W", "", "Hoymiles", "HMS-2000-4T", "HMS20004T"),
        ("Módulo Canadian HiKu6 CS6W-550MS 550Wp", "", "Canadian Solar", "CS6W-550MS", "CS6W550"),
        ("Inversor Fronius Primo 5.0-1 5kW Monofásico", "", "Fronius", "Primo 5.0-1", "PRIMO501"),
    ],
)
def test_model_codes_and_keys(reference, title, model, brand, code, key):
    # when
    listing = listing_normalize(listing_data(title, model=model), reference=reference)

    # then
    assert (listing.brand_name, listing.model_code, listing.model_key) == (brand, code, key)
    assert listing.problems == []


def test_keys_of_one_module_written_three_ways_meet():
    keys = {
        model_key(
            model_code_extract(explicit=explicit, title=title, power_w=Decimal(550)),
            kind=K.MODULE,
            power_w=550,
        )
        for explicit, title in [
            ("JAM72S30 550", ""),
            ("JAM72S30-550/MR", ""),
            ("", "Painel JA Solar JAM72S30 550W"),
        ]
    }
    assert keys == {"JAM72S30550"}


@pytest.mark.parametrize(
    ("title", "category", "kind"),
    [
        ("Painel Solar 550W Mono JA Solar", "", K.MODULE),
        ("Placa Solar Fotovoltaica 410W Canadian", "", K.MODULE),
        ("Inversor Fronius Primo 5.0-1", "", K.INVERTER),
        ("Inv. Growatt MIN 5000TL-X", "", K.INVERTER),
        ("Microinversor Hoymiles HMS-2000", "", K.MICROINVERTER),
        ("Micro Inversor APsystems DS3", "", K.MICROINVERTER),
        ("Inversor Híbrido Deye 5kW", "", K.INVERTER),
        ("Bateria Lítio Pylontech US5000", "", K.BATTERY),
        ("Estrutura Romagnole Telhado Cerâmico 4 Módulos", "", K.STRUCTURE),
        ("Kit Estrutura para 4 painéis telhado colonial", "", K.STRUCTURE),
        ("String Box Clamper 2E/1S 1000V", "", K.STRING_BOX),
        ("Cabo Solar 6mm² Preto para painel", "", K.CABLE),
        ("Conector MC4 Stäubli par", "", K.CONNECTOR),
        ("Kit Gerador Solar 5,5kWp Growatt", "", K.KIT),
        ("Gerador Fotovoltaico Fronius 8,2 kWp", "", K.KIT),
        ("Growatt MIN 5000TL-X 5kW", "Energia Solar > Inversores > On-Grid", K.INVERTER),
        ("Hoymiles HMS-2000-4T", "Inversores > Microinversores", K.MICROINVERTER),
        ("Medidor bidirecional", "", K.OTHER),
    ],
)
def test_kind_from_title_and_category(title, category, kind):
    assert kind_detect(category=category, title=title) == kind


def test_module_specs_from_attribute_table(reference):
    # given a Fortlev-style attribute table
    data = listing_data(
        "Módulo Solar JA Solar 530Wp JAM72S30 MR",
        brand="JA Solar",
        model="JAM72S30-530/MR",
        attributes={
            "Potência Máxima (Pmax)": "530 Wp",
            "Eficiência do Módulo": "20.5 %",
            "Tensão de Circuito Aberto (Voc)": "49.27 V",
            "Corrente de Curto-Circuito (Isc)": "13.7 A",
            "Tensão de Máxima Potência (Vmp)": "41.34 V",
            "Corrente de Máxima Potência (Imp)": "12.82 A",
            "Coeficiente de Temperatura Pmax": "-0.35 %/°C",
            "Coeficiente de Temperatura Voc": "-0.275 %/°C",
            "Dimensões": "2278 x 1134 x 35 mm",
            "Peso": "28.6 kg",
            "Tipo de Célula": "Monocristalina PERC",
            "Número de Células": "144 (half-cell)",
            "Bifacial": "Não",
            "Registro INMETRO": "083796/2023",
            "Validade Registro INMETRO": "17/05/2028",
            "Classe ENCE": "A",
        },
        warranty="12 anos contra defeitos de fabricação e 25 anos de garantia de performance linear",
    )

    # when
    listing = listing_normalize(data, reference=reference)

    # then
    assert listing.kind == K.MODULE
    assert listing.specs == {
        "power_w": 530,
        "efficiency_pct": 20.5,
        "voc_v": 49.27,
        "isc_a": 13.7,
        "vmp_v": 41.34,
        "imp_a": 12.82,
        "temp_coeff_pmax_pct": -0.35,
        "temp_coeff_voc_pct": -0.275,
        "length_mm": 2278,
        "width_mm": 1134,
        "thickness_mm": 35,
        "weight_kg": 28.6,
        "cell_type": "perc",
        "cells": 144,
        "bifacial": False,
    }
    assert (listing.inmetro_registration, listing.inmetro_valid_until) == ("083796/2023", "2028-05-17")
    assert listing.ence_class == "A"
    assert (listing.warranty_years, listing.performance_warranty_years) == (12, 25)
    assert listing.model_key == "JAM72S30530"


def test_inverter_specs_from_title_and_attributes(reference):
    data = listing_data(
        "Inversor Solar Trifásico Fronius Symo 10.0-3-M 10kW 380V 2 MPPT",
        attributes={"Faixa de Tensão MPPT": "270 - 800 V", "Tensão Máxima de Entrada CC": "1000 V"},
    )
    listing = listing_normalize(data, reference=reference)
    assert listing.specs == {
        "ac_power_w": 10000,
        "phases": 3,
        "grid_voltage_v": 380,
        "mppt_count": 2,
        "mppt_min_v": 270,
        "mppt_max_v": 800,
        "max_dc_voltage_v": 1000,
    }
    assert listing.category_slug == "inversores-on-grid"


def test_battery_cable_structure_and_kit_specs(reference):
    battery = listing_normalize(listing_data("Bateria Dyness 100Ah 48V LiFePO4"), reference=reference)
    assert battery.specs == {"capacity_kwh": 4.8, "nominal_voltage_v": 48, "chemistry": "lfp"}
    cable = listing_normalize(
        listing_data("Cabo Solar Prysmian 6mm² Preto 1,8kV Rolo 100m"), reference=reference
    )
    assert cable.specs == {"section_mm2": 6, "length_m": 100, "color": "preto", "voltage_rating_v": 1800}
    assert cable.model_key == "6MM2PRETO100M"  # no manufacturer code: the specs identify it
    structure = listing_normalize(
        listing_data("Estrutura Romagnole Telhado Fibrocimento 4 Módulos Alumínio"), reference=reference
    )
    assert structure.specs == {"roof_type": "fibrocimento", "modules_supported": 4, "material": "aluminio"}
    kit = listing_normalize(
        listing_data("Kit Gerador Solar 4,4 kWp Growatt 8 painéis Trifásico"), reference=reference
    )
    assert kit.specs["power_kwp"] == 4.4
    assert kit.specs["module_count"] == 8
    assert kit.brand_name == "Growatt"


def test_unknown_brand_is_created_only_when_the_title_confirms_it(reference):
    confident = listing_normalize(
        listing_data("Painel Solar Sinosola SA550-72M 550W", brand="Sinosola"), reference=reference
    )
    assert (confident.brand_name, confident.brand_known, confident.problems) == ("Sinosola", False, [])
    stray = listing_normalize(
        listing_data("Painel Solar 550W SA550-72M", brand="Genérico"), reference=reference
    )
    assert stray.problems == ["brand not recognized: 'Genérico'"]
    absent = listing_normalize(listing_data("Painel Solar 550W SA550-72M"), reference=reference)
    assert absent.problems == ["brand not found in the listing"]


def test_missing_price_and_model_are_problems(reference):
    listing = listing_normalize(listing_data("Painel Solar JA Solar 550W", price=None), reference=reference)
    assert "price missing" in listing.problems
    assert any("model code not found" in p for p in listing.problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Registro INMETRO 004521/2022, válido até 31/12/2027", ("004521/2022", "2027-12-31")),
        ("INMETRO nº 4521/2022", ("004521/2022", "")),
        ("Registro: 083796/2023; Validade: 05/2028", ("083796/2023", "2028-05-31")),
        ("sem registro", ("", "")),
    ],
)
def test_inmetro_registration_and_validity(text, expected):
    assert inmetro_parse(text) == expected


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("12 anos produto / 30 anos performance", K.MODULE, (12, 30)),
        ("12/30 anos", K.MODULE, (12, 30)),
        ("Garantia de 15 anos contra defeitos e 30 anos de geração linear", K.MODULE, (15, 30)),
        ("10 anos", K.INVERTER, (10, None)),
        ("120 meses", K.INVERTER, (10, None)),
        ("", K.INVERTER, (None, None)),
    ],
)
def test_warranty_terms(text, kind, expected):
    assert warranty_parse(text, kind=kind) == expected


def test_ence_class():
    assert [ence_parse(t) for t in ("A", "ENCE: B", "Classe de eficiência C", "sem selo")] == [
        "A",
        "B",
        "C",
        "",
    ]

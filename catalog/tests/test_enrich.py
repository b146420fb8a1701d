"""Enrich: rule-based extraction from free text, LLM extraction through a local OpenAI-compatible
server (only missing fields, validated, never breaking), and price analysis across offers."""

import socket
from decimal import Decimal

import pytest

from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline.enrich import (
    LLM_MAX_CONSECUTIVE_FAILURES,
    LLMEnricher,
    OfferFacts,
    listing_enrich_rules,
    llm_schema_for,
    offer_summary,
)
from catalog.pipeline.normalize import listing_normalize, reference_from_rows
from catalog.reference import BRANDS
from catalog.tests.factories import listing_data
from catalog.tests.openai_server import start_openai_server


@pytest.fixture(scope="module")
def reference():
    brands = [(pk, ref.name) for pk, ref in enumerate(BRANDS, start=1)]
    aliases = [(alias, pk) for pk, ref in enumerate(BRANDS, start=1) for alias in ref.aliases]
    return reference_from_rows(brands, aliases, [])


@pytest.fixture
def openai_server(settings):
    server = start_openai_server()
    settings.OPENAI_API_KEY = "sk-test-local"
    settings.OPENAI_BASE_URL = server.base_url
    settings.LLM_MAX_RETRIES = 0
    yield server
    server.stop()


def test_rules_fill_specs_warranty_and_inmetro_from_the_description(reference):
    # given a listing whose data is only in its description / datasheet text
    data = listing_data(
        "Painel Solar Canadian Solar CS6W-550MS 550W",
        description=(
            "Módulo monocristalino com eficiência de 21,3%. Voc: 49,6 V; Isc: 14,0 A; Vmp: 41,7 V; "
            "Imp: 13,2 A. Dimensões: 2261 x 1134 x 35 mm. Peso: 27,8 kg. Garantia: 12 anos produto / "
            "25 anos performance. Registro INMETRO 004521/2022, válido até 31/12/2027."
        ),
    )
    listing = listing_normalize(data, reference=reference)
    listing.specs.pop("efficiency_pct", None)

    # when
    filled = listing_enrich_rules(listing, data=data)

    # then
    assert listing.specs == {
        "power_w": 550,
        "cell_type": "mono",
        "efficiency_pct": 21.3,
        "voc_v": 49.6,
        "isc_a": 14,
        "vmp_v": 41.7,
        "imp_a": 13.2,
        "length_mm": 2261,
        "width_mm": 1134,
        "thickness_mm": 35,
        "weight_kg": 27.8,
    }
    assert (listing.warranty_years, listing.performance_warranty_years) == (12, 25)
    assert (listing.inmetro_registration, listing.inmetro_valid_until) == ("004521/2022", "2027-12-31")
    assert "voc_v" in filled


def test_battery_cycles_from_text(reference):
    data = listing_data(
        "Bateria Pylontech US5000 4,8kWh 48V", description="Vida útil superior a 6.000 ciclos."
    )
    listing = listing_normalize(data, reference=reference)
    listing_enrich_rules(listing, data=data)
    assert listing.specs["cycles"] == 6000


def test_llm_schema_is_strict_and_built_from_the_spec_models():
    schema = llm_schema_for(K.INVERTER)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])
    assert schema["properties"]["phases"] == {"type": ["integer", "null"], "enum": [1, 2, 3, None]}
    assert schema["properties"]["ac_power_w"]["type"] == ["number", "null"]
    assert "hybrid" in schema["properties"]["inverter_type"]["enum"]


def test_llm_fills_only_missing_fields_and_drops_invalid_values(reference, openai_server):
    # given a module the rules only got the power of
    data = listing_data("Painel Solar JA Solar JAM72S30-550/MR 550W", description="Datasheet em anexo.")
    listing = listing_normalize(data, reference=reference)
    assert listing.specs == {"power_w": 550}
    openai_server.reply_json(
        dict.fromkeys(llm_schema_for(K.MODULE)["properties"])  # strict mode answers every key
        | {
            "power_w": 545,  # must not overwrite what the listing says
            "efficiency_pct": 21.3,
            "voc_v": 49.9,
            "isc_a": 14.0,
            "weight_kg": 2860,  # a unit mistake: fails the schema, dropped
            "cell_type": "perc",
            "bifacial": None,
        }
    )
    enricher = LLMEnricher()

    # when
    filled = enricher.enrich(listing, data=data)

    # then
    assert listing.specs == {
        "power_w": 550,
        "efficiency_pct": 21.3,
        "voc_v": 49.9,
        "isc_a": 14.0,
        "cell_type": "perc",
    }
    assert sorted(filled) == ["cell_type", "efficiency_pct", "isc_a", "voc_v"]
    sent = openai_server.received[0].body
    assert sent["response_format"]["json_schema"]["name"] == "module_specs"
    assert "JAM72S30-550/MR" in sent["messages"][1]["content"]


def test_llm_is_not_asked_when_specs_are_complete(reference, openai_server):
    data = listing_data("String Box Clamper 2E/1S 1000V")
    listing = listing_normalize(data, reference=reference)
    assert LLMEnricher().enrich(listing, data=data) == []
    assert openai_server.received == []


def test_an_unreachable_llm_never_raises_and_is_switched_off(reference, settings):
    # given an endpoint where nothing listens
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OPENAI_API_KEY = "sk-test-local"
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.LLM_MAX_RETRIES = 0
    enricher = LLMEnricher()
    data = listing_data("Painel Solar JA Solar JAM72S30-550/MR 550W")

    # when many listings ask for it
    for _ in range(LLM_MAX_CONSECUTIVE_FAILURES + 2):
        listing = listing_normalize(data, reference=reference)
        assert enricher.enrich(listing, data=data) == []

    # then it stopped calling after the breaker opened
    assert enricher.calls == LLM_MAX_CONSECUTIVE_FAILURES
    assert not enricher.enabled
    assert "switched off" in enricher.disabled_reason


def test_offer_summary_price_analysis():
    offers = [
        OfferFacts(Decimal("399.90"), 10, "SP"),
        OfferFacts(Decimal("379.90"), 0, "GO"),
        OfferFacts(Decimal("419.00"), 3, "ES"),
        OfferFacts(Decimal("289.00"), 50, "RJ", is_active=False),  # delisted: ignored
    ]
    summary = offer_summary(offers, kind=K.MODULE, power_w=Decimal(550))
    assert summary == {
        "min_price": Decimal("379.90"),
        "max_price": Decimal("419.00"),
        "median_price": Decimal("399.90"),
        "price_per_wp": Decimal("0.6907"),
        "offer_count": 3,
        "in_stock": True,
        "stock_states": ["ES", "SP"],
    }
    even = offer_summary(offers[:2], kind=K.INVERTER, power_w=Decimal(5000))
    assert even["median_price"] == Decimal("389.90")
    assert even["price_per_wp"] is None  # R$/Wp is for modules and kits
    assert offer_summary([], kind=K.MODULE, power_w=None)["offer_count"] == 0

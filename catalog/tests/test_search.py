"""Search: documents, query parsing, lexical and hybrid ranking on a realistic catalog, filters
in SQL and in Qdrant, and degradation when Qdrant is down (indexing: test_search_index.py)."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection

from catalog.models import Offer, Product
from catalog.models.taxonomy import ProductKind
from catalog.search import semantic
from catalog.search.filters import ProductFilters
from catalog.search.hybrid import HYBRID, LEXICAL, products_search
from catalog.search.lexical import lexical_ranking
from catalog.search.query import light_stem, query_parse, vocabulary
from catalog.search.text import product_document, search_fold
from catalog.tests.search_factories import (
    fresh_local_caches,
    indexed_catalog,
    unused_loopback_port,
)
from ysh import embeddings, vectors

pytestmark = pytest.mark.django_db

K = ProductKind


@pytest.fixture(autouse=True)
def _fresh_local_caches():
    yield from fresh_local_caches()


@pytest.fixture(scope="module")
def catalog(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from indexed_catalog(django_db_blocker, tmp_path_factory.mktemp("qdrant"))


@pytest.fixture
def qdrant_down(settings):
    settings.QDRANT_URL = f"http://127.0.0.1:{unused_loopback_port()}"
    settings.QDRANT_TIMEOUT = 1


def names(ids):
    by_id = dict(Product.objects.filter(id__in=ids).values_list("id", "name"))
    return [by_id[i] for i in ids]


# --- documents and queries ---------------------------------------------------------------


def test_search_text_writes_specs_the_way_people_search():
    # given the facts of an inverter and of a battery
    inverter = product_document(
        name="Inversor Fronius Primo 5.0-1 5kW Monofásico 220V",
        kind=K.INVERTER,
        brand="Fronius",
        model_code="PRIMO 5.0-1",
        specs={"ac_power_w": 5000, "phases": 1, "grid_voltage_v": 220, "mppt_count": 2},
        aliases=["froniusdobrasil"],
    )
    battery = product_document(
        name="Bateria Dyness BX51100",
        kind=K.BATTERY,
        brand="Dyness",
        model_code="BX51100",
        specs={"capacity_kwh": 5.12, "chemistry": "lfp", "nominal_voltage_v": 51.2},
    )

    # then the folded search text has the kind in Portuguese, the specs and the aliases
    words = inverter.search_text.split()
    for expected in ("inversor", "fronius", "primo", "5kw", "kw", "5000", "monofasico", "froniusdobrasil"):
        assert expected in words
    assert "primo501" in words  # the model code typed without separators
    assert "5.12" in battery.search_text.split() and "litio" in battery.search_text.split()
    assert "lifepo4" in battery.search_text.split()
    # and the embedded text stays natural Portuguese
    assert "5 kW" in inverter.text and "monofásico" in inverter.text
    assert "5,12 kWh" in battery.text


def test_fold_removes_accents_punctuation_and_writes_decimal_dots():
    assert (
        search_fold("Inversor Híbrido 5,12 kWh (MC4)/ HMS-2000") == "inversor hibrido 5.12 kwh mc4 hms 2000"
    )


def test_query_parse_turns_quantities_into_intents_and_drops_stop_words():
    # when parsing the storefront's typical queries
    inverter = query_parse("inversor fronius 5kw")
    module = query_parse("painel 550w bifacial")
    battery = query_parse("bateria de lítio 5 kwh")
    kit = query_parse("kit 4,4 kWp para telhado")

    # then numbers with units become intents and the words stay terms
    assert [t.text for t in inverter.terms] == ["inversor", "fronius"] and inverter.power_w == 5000
    assert [t.text for t in module.terms] == ["painel", "bifacial"] and module.power_w == 550
    assert [t.text for t in battery.terms] == ["bateria", "litio"] and battery.energy_wh == 5000
    assert [t.text for t in kit.terms] == ["kit", "telhado"] and kit.power_w == Decimal("4400")


def test_query_parse_offers_vocabulary_spellings_for_typos():
    words = frozenset({"fronius", "tiger", "jinko", "inversor", "hoymiles"})

    parsed = query_parse("fronios jinko tigre inver", words=words)

    assert parsed.corrections == {"fronios": "fronius", "tigre": "tiger"}
    # a prefix being typed is not a typo: prefix matching handles it
    assert [t.spellings for t in parsed.terms][-1] == ("inver",)


def test_light_stem_reduces_portuguese_plurals():
    assert [light_stem(w) for w in ("inversores", "paineis", "baterias", "conexoes", "kit")] == [
        "inversor",
        "painel",
        "bateria",
        "conexao",
        "kit",
    ]


def test_query_parse_marks_the_words_the_catalog_knows():
    words = frozenset({"fronius", "inversor", "bateria", "microinversor"})

    parsed = query_parse("inversores fronios micro 5kw xyzzy", words=words)

    # the plural of a known word and a prefix of one are known; a typo and a stranger are not
    assert {t.text: t.known for t in parsed.terms} == {
        "inversores": True,
        "fronios": False,
        "micro": True,
        "xyzzy": False,
    }


def test_vocabulary_holds_brands_aliases_and_name_words(catalog):
    words = vocabulary()
    assert {"fronius", "hoymiles", "tiger", "bifacial", "inversor"} <= words


# --- the required search behaviour (hybrid, fixture catalog of real products) ---------------


def test_inversor_fronius_5kw_finds_the_fronius_primo_5_first(catalog):
    outcome = products_search(text="inversor fronius 5kw")

    assert outcome.mode == HYBRID
    assert outcome.ids[0] == catalog["PRIMO 5.0-1"].id
    # and the other Fronius inverters come before other brands' 5 kW inverters
    top = names(outcome.ids[:5])
    assert all("Fronius" in name for name in top), top


def test_painel_550w_bifacial_finds_bifacial_550w_modules(catalog):
    outcome = products_search(text="painel 550w bifacial")

    top = Product.objects.in_bulk(outcome.ids[:5])
    for product_id in outcome.ids[:5]:
        product = top[product_id]
        assert product.kind == K.MODULE and product.specs["bifacial"] is True, product.name
        assert 540 <= product.power_w <= 560, product.name


def test_bateria_litio_5_kwh_finds_5_kwh_lfp_batteries(catalog):
    outcome = products_search(text="bateria lítio 5 kwh")

    top = Product.objects.in_bulk(outcome.ids[:4])
    for product_id in outcome.ids[:4]:
        product = top[product_id]
        assert product.kind == K.BATTERY and product.specs["chemistry"] == "lfp", product.name
        assert Decimal("4500") <= product.energy_wh <= Decimal("5500"), product.name


def test_microinversor_hoymiles_finds_hoymiles_micro_inverters(catalog):
    outcome = products_search(text="microinversor hoymiles")

    hoymiles = {catalog[code].id for code in ("HMS-2000-4T", "HMS-1600-4T", "HMS-800-2T")}
    assert set(outcome.ids[:3]) == hoymiles


@pytest.mark.parametrize("typo", ["fronios", "Fronius", "fronuis"])
def test_misspelt_fronius_still_finds_fronius(catalog, typo):
    outcome = products_search(text=typo)

    fronius = set(Product.objects.filter(brand__name="Fronius").values_list("id", flat=True))
    assert set(outcome.ids[:5]) <= fronius and len(outcome.ids) >= 5


def test_jinko_tigre_finds_the_tiger_modules(catalog):
    outcome = products_search(text="jinko tigre")

    assert set(outcome.ids[:2]) == {catalog["JKM575N-72HL4-BDV"].id, catalog["JKM550M-72HL4-V"].id}
    assert outcome.query.corrections == {"tigre": "tiger"}


def test_a_query_of_only_a_quantity_finds_products_of_that_power(catalog):
    outcome = products_search(text="5kw")

    assert outcome.ids
    for product in Product.objects.filter(id__in=outcome.ids[:5]):
        assert product.power_w == 5000


def test_nothing_to_search_for_returns_nothing(catalog):
    assert products_search(text="  de para  ").ids == []


# --- filters: SQL and Qdrant agree, and the search honours them ---------------------------


FILTER_CASES = [
    ProductFilters(kinds=(K.INVERTER,)),
    ProductFilters(kinds=(K.MODULE,), power_min=Decimal(540), power_max=Decimal(560)),
    ProductFilters(price_min=Decimal(1000), price_max=Decimal(6000)),
    ProductFilters(phases=3),
    ProductFilters(voltage_v=220),
    ProductFilters(in_stock=True),
    ProductFilters(in_stock=False),
    ProductFilters(state="SP"),
    ProductFilters(state="SP", in_stock=True),
    ProductFilters(state="PE", in_stock=False),
]


def _case_id(filters: ProductFilters) -> str:
    return ",".join(f"{k}={v}" for k, v in filters.__dict__.items() if v not in (None, ()))


@pytest.mark.parametrize("filters", FILTER_CASES, ids=_case_id)
def test_qdrant_payload_filter_selects_exactly_what_sql_selects(catalog, filters):
    # given the SQL answer
    expected = set(filters.apply(Product.objects.all()).values_list("id", flat=True))

    # when asking Qdrant with the translated payload filter
    found = vectors.point_ids(semantic.products_collection(), query_filter=filters.qdrant_filter())

    # then both agree
    assert set(found) == expected
    assert expected  # every case selects something in the fixture catalog


def test_offer_conditions_hold_for_the_same_offer(catalog):
    # given Odex, which has warehouses in GO and MG only
    odex = catalog.distributors["odex"]
    filters = ProductFilters(distributor_id=odex.id, state="SP")

    # then "offered by Odex in SP" matches nothing, in SQL and in Qdrant
    assert not filters.apply(Product.objects.all()).exists()
    assert vectors.point_ids(semantic.products_collection(), query_filter=filters.qdrant_filter()) == []


def test_search_honours_filters(catalog):
    # given a brand and a kind filter
    growatt = catalog.brands["Growatt"]
    filters = ProductFilters(brand_ids=(growatt.id,), kinds=(K.INVERTER,))

    # when searching for something most matches are outside it
    outcome = products_search(text="inversor 5kw", filters=filters)

    # then only Growatt inverters come back
    found = Product.objects.filter(id__in=outcome.ids)
    assert outcome.ids and all(p.brand_id == growatt.id and p.kind == K.INVERTER for p in found)
    assert outcome.ids[0] in {catalog["MIN 5000TL-X"].id, catalog["SPH 5000"].id}


def test_search_with_a_state_filter_keeps_only_products_offered_there(catalog):
    outcome = products_search(text="painel 550w", filters=ProductFilters(state="PE", in_stock=True))

    assert outcome.ids
    for product in Product.objects.filter(id__in=outcome.ids):
        assert product.offers.filter(is_active=True, warehouse__state="PE", stock__gt=0).exists()


OFFER_CASES = [
    *[case for case in FILTER_CASES if case.has_offer_conditions],
    ProductFilters(state="SP", in_stock=False),
    ProductFilters(state="GO"),
    ProductFilters(state="RJ"),  # no warehouse there
]


@pytest.mark.parametrize("filters", OFFER_CASES, ids=_case_id)
def test_indexed_offer_keys_select_what_the_offers_select(catalog, filters):
    # given the exact answer, from the offers
    expected = set(filters.apply(Product.objects.all()).values_list("id", flat=True))

    # when the ranking's filter reads the keys the index keeps instead
    found = set(filters.apply_indexed(Product.objects.all()).values_list("id", flat=True))

    # then both agree on an indexed catalog
    assert found == expected


def test_distributor_and_state_keys_hold_for_the_same_offer(catalog):
    neosolar = catalog.distributors["neosolar"]
    for state in ("SP", "PR", "PE"):
        filters = ProductFilters(distributor_id=neosolar.id, state=state, in_stock=True)
        expected = set(filters.apply(Product.objects.all()).values_list("id", flat=True))
        assert set(filters.apply_indexed(Product.objects.all()).values_list("id", flat=True)) == expected


def test_search_confirms_its_candidates_against_the_offers(catalog):
    # given an inverter offered in some state, whose offers there end after it was indexed
    product = catalog["PRIMO 5.0-1"]
    state = product.offers.filter(is_active=True).values_list("warehouse__state", flat=True).first()
    filters = ProductFilters(state=state)
    offered = set(filters.apply(Product.objects.all()).values_list("id", flat=True))
    assert product.id in offered
    Offer.objects.filter(product=product, warehouse__state=state).update(is_active=False)
    if connection.vendor == "postgresql":  # the keys the ranking reads still say it is there
        assert filters.apply_indexed(Product.objects.filter(id=product.id)).exists()

    # when searching for it in that state before the index caught up
    outcome = products_search(text=product.name, filters=filters)

    # then it is not among the results, which are all still offered there
    assert product.id not in outcome.ids
    assert outcome.ids and set(outcome.ids) <= offered - {product.id}


def test_search_query_count_does_not_grow_with_the_results(catalog, django_assert_max_num_queries):
    vocabulary()  # the typo vocabulary is built once per process and cached

    # a narrow and a broad query, with offer filters: the lexical tiers and one confirmation
    for text in ("jinko tigre", "painel solar inversor bateria kit"):
        with django_assert_max_num_queries(4):
            outcome = products_search(text=text, filters=ProductFilters(state="SP", in_stock=True))
        assert outcome.ids


def test_a_query_is_embedded_like_the_documents_of_the_index(settings):
    # given the offline embedder: queries one at a time, documents in batches
    settings.OPENAI_API_KEY = ""
    texts = ["microinversor hoymiles 2000 w", "Kit gerador fotovoltaico Growatt 5,4 kWp"]

    # when embedding each text alone and both in one batch
    alone = [embeddings.embed_texts([text])[0] for text in texts]
    batch = embeddings.embed_texts(texts)

    # then the vectors agree to float rounding: queries and documents meet in one space
    for single, batched in zip(alone, batch, strict=True):
        assert max(abs(a - b) for a, b in zip(single, batched, strict=True)) < 1e-5


def test_a_query_vector_in_the_shared_cache_is_not_embedded_again(catalog):
    # given the vector of one query stored (by another process) under another query's key
    battery = embeddings.embed_query("bateria lítio 5 kwh")
    cache.set(embeddings.query_vector_key("pergunta inédita"), embeddings.query_vector_pack(battery))

    # when searching for that other query
    found = semantic.semantic_ranking(text="pergunta inédita", filters=ProductFilters())

    # then the stored vector answered it: the battery query's neighbours come back
    expected = semantic.semantic_ranking(text="bateria lítio 5 kwh", filters=ProductFilters())
    assert found == expected and found


def test_a_search_keeps_its_query_vector_in_the_shared_cache(catalog):
    products_search(text="Inversor  Fronius 5kw")

    stored = cache.get(embeddings.query_vector_key("inversor fronius 5kw"))

    assert stored == embeddings.query_vector_pack(embeddings.embed_query("inversor fronius 5kw"))


# --- lexical ranking on each database ------------------------------------------------------


def test_lexical_ranks_products_matching_every_term_first(catalog):
    ranking = lexical_ranking(
        queryset=Product.objects.filter(is_active=True), query=query_parse("jinko bifacial")
    )

    assert ranking.ids[0] == catalog["JKM575N-72HL4-BDV"].id
    assert ranking.complete == {catalog["JKM575N-72HL4-BDV"].id}
    # products matching only one of the words follow
    assert catalog["JKM550M-72HL4-V"].id in ranking.ids


def test_lexical_matches_plurals_and_accents(catalog):
    ranking = lexical_ranking(queryset=Product.objects.all(), query=query_parse("baterias estacionárias"))

    assert set(ranking.complete) == {catalog["12MF220"].id, catalog["DF4100"].id}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL only")
def test_postgres_trigram_finds_typos_the_vocabulary_does_not_know(catalog):
    # given a query parsed WITHOUT the vocabulary (no rapidfuzz alternatives)
    query = query_parse("fronios")
    assert query.corrections == {}

    # when ranking lexically on PostgreSQL
    ranking = lexical_ranking(queryset=Product.objects.all(), query=query)

    # then the trigram index on name found Fronius
    fronius = set(Product.objects.filter(brand__name="Fronius").values_list("id", flat=True))
    assert ranking.ids and set(ranking.ids[:5]) <= fronius


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's ranking")
def test_postgres_ranks_a_tier_larger_than_the_pool_among_its_best_quality_matches(catalog):
    # given every product matching "inversor", ranked whole
    every = lexical_ranking(queryset=Product.objects.all(), query=query_parse("inversor"), limit=1000).ids
    quality = dict(Product.objects.filter(id__in=every).values_list("id", "quality_score"))
    best = sorted(every, key=lambda pid: (-quality[pid], pid))[:3]
    assert len(every) > 3

    # when ranking with a pool of three
    pooled = lexical_ranking(queryset=Product.objects.all(), query=query_parse("inversor"), limit=3, pool=3)

    # then the three come from the three best-quality matches
    assert set(pooled.ids) == set(best)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search_vector column is PostgreSQL only")
def test_postgres_keeps_search_vector_in_step_with_name_and_search_text(catalog):
    product = catalog["BX51100"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM catalog_product WHERE id = %s", [product.id])
        (vector,) = cursor.fetchone()
    # Portuguese stems of the unaccented words ("Lítio" → liti); the name's words weigh A
    assert re.search(r"'dyness':[\d,]*\d+A", vector) and re.search(r"'liti':\d+A", vector)


# --- degradation -------------------------------------------------------------------------


def test_search_degrades_to_lexical_when_qdrant_is_down(catalog, qdrant_down):
    outcome = products_search(text="inversor fronius 5kw")

    assert outcome.mode == LEXICAL
    assert "vector index" in outcome.degraded_reason
    assert outcome.ids[0] == catalog["PRIMO 5.0-1"].id

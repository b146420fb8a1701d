"""Search indexing: incremental (text vs payload), idempotent, failure-tolerant, re-index on
commit, per-embedder collections, and the semantic answer cache."""

from decimal import Decimal

import pytest
from django.test import override_settings
from qdrant_client import models as qm

from catalog.models import Product
from catalog.models.taxonomy import ProductKind
from catalog.search import semantic
from catalog.search.cache import index_generation_bump
from catalog.search.filters import ProductFilters
from catalog.search.index import ProductIndexIncomplete, products_index, products_reindex_on_commit
from catalog.tests.search_factories import (
    OfferFactory,
    ProductFactory,
    WarehouseFactory,
    fresh_local_caches,
    indexed_catalog,
    product_summarize,
    unused_loopback_port,
)
from ysh import vectors

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


# --- indexing ------------------------------------------------------------------------------


@pytest.fixture
def fresh_index(settings, tmp_path):
    settings.QDRANT_URL = ""
    settings.QDRANT_PATH = str(tmp_path / "qdrant")
    return settings


def points(ids):
    return vectors.payloads_get(semantic.products_collection(), list(ids))


def test_index_stores_search_text_and_payload_and_a_second_run_changes_nothing(catalog, fresh_index):
    # given the catalog and an empty vector index
    built = catalog
    ids = [p.id for p in built.products.values()]
    Product.objects.filter(id__in=ids).update(search_text="")

    # when indexing twice
    first = products_index(product_ids=ids)
    second = products_index(product_ids=ids)

    # then the first run embedded everything and the second nothing
    assert first.embedded == len(ids) and first.search_text_updated == len(ids)
    assert second.embedded == 0 and second.payload_updated == 0 and second.unchanged == len(ids)
    assert vectors.count(semantic.products_collection()) == len(ids)
    primo = built["PRIMO 5.0-1"]
    payload = points([primo.id])[primo.id]
    assert payload["kind"] == K.INVERTER and payload["power_w"] == 5000.0 and payload["phases"] == 1
    assert payload["category_ids"][-1] == built.categories["inversores"].id
    assert f"d:{primo.offers.first().distributor_id}" in payload["offer_keys"]
    primo.refresh_from_db()
    assert "fronius" in primo.search_text.split() and len(primo.indexed_hash) == 64


def test_index_updates_only_the_payload_when_only_prices_change(fresh_index):
    # given an indexed product
    product = ProductFactory(name="Inversor Sungrow SG5.0RS", kind=K.INVERTER, power_w=5000)
    products_index(product_ids=[product.id])

    # when its price summary changes
    Product.objects.filter(id=product.id).update(min_price=Decimal("4321.00"), in_stock=True)
    counts = products_index(product_ids=[product.id])

    # then the vector is kept and the payload rewritten
    assert counts.embedded == 0 and counts.payload_updated == 1
    assert points([product.id])[product.id]["min_price"] == 4321.0


def test_index_re_embeds_when_the_text_changes(fresh_index):
    product = ProductFactory(name="Inversor Sungrow SG5.0RS", kind=K.INVERTER)
    products_index(product_ids=[product.id])

    Product.objects.filter(id=product.id).update(name="Inversor Sungrow SG6.0RS 6kW")
    counts = products_index(product_ids=[product.id])

    assert counts.embedded == 1
    assert "sg6" in Product.objects.get(id=product.id).search_text


def test_index_removes_inactive_and_deleted_products(fresh_index):
    # given two indexed products
    kept, retired = ProductFactory(), ProductFactory()
    gone = ProductFactory()
    products_index(product_ids=[kept.id, retired.id, gone.id])
    gone_id = gone.id

    # when one is deactivated and one deleted
    Product.objects.filter(id=retired.id).update(is_active=False)
    gone.delete()
    counts = products_index(product_ids=[kept.id, retired.id, gone_id])

    # then both points are gone and the retired product forgets its hash
    assert counts.deleted == 2
    assert set(points([kept.id, retired.id, gone_id])) == {kept.id}
    assert Product.objects.get(id=retired.id).indexed_hash == ""


def test_index_failure_keeps_search_text_and_is_finished_by_the_next_run(fresh_index, settings):
    # given a product and Qdrant down
    product = ProductFactory(name="Bateria Pylontech US5000", kind=K.BATTERY)
    indexed_path = settings.QDRANT_PATH
    settings.QDRANT_URL = f"http://127.0.0.1:{unused_loopback_port()}"
    settings.QDRANT_TIMEOUT = 1

    # when indexing
    with pytest.raises(ProductIndexIncomplete) as failure:
        products_index(product_ids=[product.id])

    # then the search text is written but nothing claims the vector exists
    product.refresh_from_db()
    assert failure.value.counts.failed == 1
    assert "pylontech" in product.search_text and product.indexed_hash == ""

    # and once Qdrant is back the next run finishes the job
    settings.QDRANT_URL = ""
    settings.QDRANT_PATH = indexed_path
    counts = products_index(product_ids=[product.id])
    assert counts.embedded == 1 and set(points([product.id])) == {product.id}


def test_switching_embedders_uses_another_collection(fresh_index, settings):
    # given the offline embedder's collection
    offline = semantic.products_collection()

    # when OpenAI is configured
    settings.OPENAI_API_KEY = "sk-test"
    openai = semantic.products_collection()

    # then vectors of different dimensions never share a collection
    assert offline == "products_minilm_l6_384"
    assert openai == "products_openai_text_embedding_3_small_1536"


def test_reindex_on_commit_runs_the_index_task_after_the_transaction(
    fresh_index, django_capture_on_commit_callbacks
):
    # given a product edited in a transaction (the admin)
    product = ProductFactory(name="Microinversor Hoymiles HMS-2000-4T", kind=K.MICROINVERTER)

    # when asking for its re-index
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        products_reindex_on_commit(product_ids=[product.id])
        assert points([product.id]) == {}  # nothing before the commit

    # then the task ran after it (eagerly in tests) and the product is in the index
    assert len(callbacks) == 1
    assert set(points([product.id])) == {product.id}


def test_index_keeps_the_offer_keys_the_lexical_ranking_filters_by(fresh_index):
    # given a product in stock in a warehouse in SP, as the pipeline leaves it, indexed
    warehouse = WarehouseFactory(state="SP")
    offer = OfferFactory(warehouse=warehouse, stock=4, product=ProductFactory(name="Inversor Deye SUN-5K"))
    product_summarize(offer.product)
    products_index(product_ids=[offer.product_id])
    in_stock = ProductFilters(state="SP", in_stock=True)
    out_of_stock = ProductFilters(state="SP", in_stock=False)
    offered = ProductFilters(state="SP")
    elsewhere = ProductFilters(state="PE")
    by_distributor = ProductFilters(distributor_id=warehouse.distributor_id, state="SP", in_stock=True)

    def matches(filters: ProductFilters) -> bool:
        return filters.apply_indexed(Product.objects.filter(id=offer.product_id)).exists()

    assert [matches(f) for f in (in_stock, out_of_stock, offered, elsewhere, by_distributor)] == [
        True,
        False,
        True,
        False,
        True,
    ]

    # when its stock runs out (an import: new summary, then the index)
    offer.stock = 0
    offer.save()
    product_summarize(offer.product)
    products_index(product_ids=[offer.product_id])

    # then the keys follow: still offered in SP, no longer in stock there
    assert [matches(f) for f in (in_stock, out_of_stock, offered, elsewhere, by_distributor)] == [
        False,
        True,
        True,
        False,
        False,
    ]


def test_qdrant_filter_of_no_filters_is_none():
    assert ProductFilters().qdrant_filter() is None
    assert isinstance(ProductFilters(in_stock=True).qdrant_filter(), qm.Filter)


@override_settings(QDRANT_URL="")
def test_neighbours_of_a_product_not_indexed_are_empty(fresh_index):
    product = ProductFactory()
    products_index(product_ids=[ProductFactory().id])  # the collection exists, without this one

    assert semantic.neighbour_ranking(product_id=product.id, filters=ProductFilters()) == []


def test_semantic_answers_are_cached_until_the_index_changes(catalog, fresh_index):
    # given a few products in a fresh index and a semantic search answered once
    products_index(product_ids=[catalog[code].id for code in ("US5000", "BX51100", "PRIMO 5.0-1")])
    first = semantic.semantic_ranking(text="bateria lítio 5 kwh", filters=ProductFilters())
    assert catalog["US5000"].id in [hit.product_id for hit in first]

    # when the collection disappears behind the cache's back, the answer still comes from it
    vectors.drop_collection(semantic.products_collection())
    assert semantic.semantic_ranking(text="bateria lítio 5 kwh", filters=ProductFilters()) == first

    # and once the index changes (products_index bumps the generation) Qdrant is asked again
    index_generation_bump()
    assert semantic.semantic_ranking(text="bateria lítio 5 kwh", filters=ProductFilters()) == []

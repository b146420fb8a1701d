"""Storefront catalog API: list with filters/ordering/facets/pagination, hybrid search,
reference lists, caching, errors and query counts (the product page: test_api_detail.py)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog.models import Product
from catalog.models.taxonomy import ProductKind
from catalog.search.cache import local_caches_clear
from catalog.search.index import products_index
from catalog.tests.search_factories import fresh_local_caches, indexed_catalog, unused_loopback_port

pytestmark = pytest.mark.django_db

K = ProductKind
PRODUCTS = reverse("api:catalog-product-list")
SEARCH = reverse("api:catalog-search")


@pytest.fixture(autouse=True)
def _fresh_local_caches():
    yield from fresh_local_caches()


@pytest.fixture(scope="module")
def catalog(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from indexed_catalog(django_db_blocker, tmp_path_factory.mktemp("qdrant"))


@pytest.fixture
def fresh_qdrant(settings, tmp_path):
    """A test-local vector index (tests that re-index must not touch the module's)."""
    settings.QDRANT_URL = ""
    settings.QDRANT_PATH = str(tmp_path / "qdrant")


def detail_url(product) -> str:
    return reverse("api:catalog-product-detail", args=[product.id])


def ids_of(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def active_count() -> int:
    return Product.objects.filter(is_active=True).count()


# --- list ----------------------------------------------------------------------------------


def test_list_is_public_and_returns_a_page_with_count_and_facets(catalog, api_client):
    response = api_client.get(PRODUCTS, {"page_size": 10})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == active_count()
    assert len(body["results"]) == 10
    assert body["next"].endswith("page=2&page_size=10") or "page=2" in body["next"]
    assert body["previous"] is None
    row = body["results"][0]
    assert {"id", "name", "brand", "category", "min_price", "in_stock", "compliance", "power_w"} <= set(row)
    assert set(body["facets"]) == {"kind", "brand", "category", "phases", "power", "price", "in_stock"}


def test_facet_counts_match_the_catalog(catalog, api_client):
    body = api_client.get(PRODUCTS, {"kind": "inverter"}).json()

    facets = body["facets"]
    inverters = Product.objects.filter(kind=K.INVERTER)
    assert facets["kind"] == [
        {"value": "inverter", "label": str(K.INVERTER.label), "count": inverters.count()}
    ]
    brands = {item["value"]: item["count"] for item in facets["brand"]}
    assert brands["fronius"] == inverters.filter(brand__slug="fronius").count() == 5
    phases = {item["value"]: item["count"] for item in facets["phases"]}
    assert phases == {1: inverters.filter(phases=1).count(), 3: 2}
    power = {item["value"]: item["count"] for item in facets["power"]}
    # a band counts what its link (power_min=3000&power_max=6000, both inclusive) lists
    assert power["3000-6000"] == inverters.filter(power_w__gte=3000, power_w__lte=6000).count()
    stock = {item["value"]: item["count"] for item in facets["in_stock"]}
    assert stock[True] + stock[False] == body["count"]
    # categories count their whole subtree
    categories = {item["value"]: item for item in facets["category"]}
    assert categories["inversores"]["count"] == body["count"]
    assert categories["inversores-hibridos"]["parent"] == "inversores"


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"category": "modulos-fotovoltaicos"}, lambda p: p.kind == K.MODULE),
        ({"category": "modulos-bifaciais"}, lambda p: p.specs.get("bifacial") is True),
        ({"brand": ["fronius", "growatt"]}, lambda p: p.brand.slug in ("fronius", "growatt")),
        ({"kind": ["battery", "microinverter"]}, lambda p: p.kind in (K.BATTERY, K.MICROINVERTER)),
        (
            {"power_min": "5000", "power_max": "6000"},
            lambda p: p.power_w is not None and 5000 <= p.power_w <= 6000,
        ),
        (
            {"price_min": "1000", "price_max": "2000"},
            lambda p: p.min_price is not None and 1000 <= p.min_price <= 2000,
        ),
        ({"phases": "3"}, lambda p: p.phases == 3),
        ({"voltage": "380"}, lambda p: p.voltage_v == 380),
        ({"in_stock": "true"}, lambda p: p.in_stock),
        ({"in_stock": "false"}, lambda p: not p.in_stock),
        (
            {"state": "PR"},
            lambda p: p.offers.filter(is_active=True, warehouse__state="PR").exists(),
        ),
        (
            {"state": "SP", "in_stock": "true"},
            lambda p: p.offers.filter(is_active=True, warehouse__state="SP", stock__gt=0).exists(),
        ),
        (
            {"distributor": "odex"},
            lambda p: p.offers.filter(is_active=True, distributor__slug="odex").exists(),
        ),
    ],
)
def test_list_filters(catalog, api_client, params, check):
    response = api_client.get(PRODUCTS, {**params, "page_size": 200})

    assert response.status_code == 200, response.json()
    found = Product.objects.select_related("brand").in_bulk(ids_of(response))
    assert found, "the filter should match part of the fixture catalog"
    assert len(found) < active_count()
    assert all(check(product) for product in found.values())
    # and nothing that passes the check was left out
    everything = Product.objects.filter(is_active=True).select_related("brand")
    assert len(found) == sum(1 for p in everything if check(p))


@pytest.mark.parametrize(
    ("ordering", "key", "reverse_order"),
    [
        ("price", "min_price", False),
        ("-price", "min_price", True),
        ("price_per_wp", "price_per_wp", False),
        ("power", "power_w", False),
        ("-power", "power_w", True),
    ],
)
def test_list_orderings_put_products_without_the_value_last(
    catalog, api_client, ordering, key, reverse_order
):
    rows = api_client.get(PRODUCTS, {"ordering": ordering, "page_size": 200}).json()["results"]

    values = [row[key] for row in rows]
    present = [Decimal(str(v)) for v in values if v is not None]
    assert present == sorted(present, reverse=reverse_order)
    assert values[len(present) :] == [None] * (len(values) - len(present))


def test_list_newest_first_by_default(catalog, api_client):
    rows = api_client.get(PRODUCTS, {"page_size": 200}).json()["results"]
    stamps = [row["created_at"] for row in rows]
    assert stamps == sorted(stamps, reverse=True)


def test_cursor_mode_pages_without_count_or_facets(catalog, api_client):
    # when walking the catalog with the cursor
    first = api_client.get(PRODUCTS, {"cursor": "", "page_size": 30}).json()
    second = api_client.get(first["next"]).json()

    # then there is no count, pages do not overlap and together they cover the catalog
    assert "count" not in first and "facets" not in first
    seen = [row["id"] for row in first["results"] + second["results"]]
    third = api_client.get(second["next"]).json() if second["next"] else {"results": []}
    seen += [row["id"] for row in third["results"]]
    assert len(seen) == len(set(seen)) == active_count()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"power_min": "abc"}, "power_min"),
        ({"price_max": "-5"}, "price_max"),
        ({"state": "XX"}, "state"),
        ({"ordering": "bogus"}, "ordering"),
        ({"brand": "no-such-brand"}, "brand"),
        ({"category": "nope"}, "category"),
        ({"distributor": "nope"}, "distributor"),
        ({"kind": "spaceship"}, "kind"),
        ({"phases": "7"}, "phases"),
        ({"voltage": "2.5"}, "voltage"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"power_min": "6000", "power_max": "5000"}, "power_max"),
        ({"page": "abc"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "5000"}, "page_size"),
        ({"cursor": "", "ordering": "price"}, "ordering"),
    ],
)
def test_bad_filter_values_are_400_with_field_errors(catalog, api_client, params, field):
    response = api_client.get(PRODUCTS, params)

    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_page_past_the_end_is_404(catalog, api_client):
    response = api_client.get(PRODUCTS, {"page": 99})
    assert response.status_code == 404


def test_garbage_cursor_is_404_not_500(catalog, api_client):
    response = api_client.get(PRODUCTS, {"cursor": "not-a-cursor"})
    assert response.status_code == 404


def test_list_query_count_does_not_grow_with_the_page(catalog, api_client, django_assert_max_num_queries):
    params = {"category": "modulos-fotovoltaicos", "brand": ["ja-solar", "canadian-solar"], "state": "SP"}
    for page_size in (2, 60):
        cache.clear()  # facets computed, not served from the cache
        local_caches_clear()
        with django_assert_max_num_queries(11):
            response = api_client.get(PRODUCTS, {**params, "page_size": page_size})
        assert response.status_code == 200
    # and a page served again comes from the cache without a query
    with django_assert_max_num_queries(0):
        assert api_client.get(PRODUCTS, {**params, "page_size": 60}).status_code == 200


def test_facets_and_count_are_cached_for_a_minute_per_filter_combination(catalog, api_client):
    # given the module list was served once
    before = api_client.get(PRODUCTS, {"kind": "module"}).json()["count"]

    # when a module is retired
    Product.objects.filter(id=catalog["CS3U-335P"].id).update(is_active=False)

    # then the same filters serve the cached count, other combinations are fresh
    assert api_client.get(PRODUCTS, {"kind": "module"}).json()["count"] == before
    assert api_client.get(PRODUCTS, {"kind": "module", "page_size": 5}).json()["count"] == before
    assert api_client.get(PRODUCTS, {"kind": "module", "in_stock": "true"}).status_code == 200
    cache.clear()  # the minute is over
    local_caches_clear()
    assert api_client.get(PRODUCTS, {"kind": "module"}).json()["count"] == before - 1


# --- search --------------------------------------------------------------------------------


def test_search_endpoint_is_hybrid_with_filters_and_facets(catalog, api_client):
    response = api_client.get(SEARCH, {"q": "inversor fronius 5kw", "page_size": 5})

    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "hybrid" and body["degraded_reason"] is None
    assert body["results"][0]["id"] == catalog["PRIMO 5.0-1"].id
    assert body["results"][0]["score"] > body["results"][1]["score"]
    assert body["query"]["power_w"] == 5000 and body["query"]["terms"] == ["inversor", "fronius"]
    assert len(body["results"]) == 5 and body["count"] > 5 and body["next"]
    assert sum(item["count"] for item in body["facets"]["kind"]) == body["count"]


def test_search_endpoint_honours_filters_and_ordering(catalog, api_client):
    body = api_client.get(
        SEARCH, {"q": "painel", "kind": "module", "state": "PE", "ordering": "price"}
    ).json()

    prices = [Decimal(row["min_price"]) for row in body["results"]]
    assert prices and prices == sorted(prices)
    for product in Product.objects.filter(id__in=[row["id"] for row in body["results"]]):
        assert product.kind == K.MODULE
        assert product.offers.filter(warehouse__state="PE").exists()


def test_search_endpoint_degrades_to_lexical_when_qdrant_is_down(catalog, api_client, settings):
    settings.QDRANT_URL = f"http://127.0.0.1:{unused_loopback_port()}"
    settings.QDRANT_TIMEOUT = 1

    response = api_client.get(SEARCH, {"q": "microinversor hoymiles"})

    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "lexical" and body["degraded_reason"]
    assert {row["name"].split()[1] for row in body["results"][:3]} == {"Hoymiles"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "painel", "power_min": "abc"}, "power_min"),
        ({"q": "painel", "page_size": "51"}, "page_size"),
    ],
)
def test_search_errors_are_400(catalog, api_client, params, field):
    response = api_client.get(SEARCH, params)
    assert response.status_code == 400 and field in response.json()


def test_search_query_count_is_constant(catalog, api_client, django_assert_max_num_queries):
    api_client.get(SEARCH, {"q": "aquecimento"})  # warm the typo vocabulary
    for page_size in (2, 40):
        with django_assert_max_num_queries(8):
            response = api_client.get(
                SEARCH, {"q": "painel solar bifacial", "brand": "ja-solar", "page_size": page_size}
            )
        assert response.status_code == 200


# --- reference lists, access, docs -----------------------------------------------------------


def test_categories_tree_with_counts(catalog, api_client):
    tree = api_client.get(reverse("api:catalog-categories")).json()

    roots = {node["slug"]: node for node in tree}
    assert roots["inversores"]["count"] == Product.objects.filter(kind=K.INVERTER).count()
    children = {child["slug"] for child in roots["inversores"]["children"]}
    assert children == {"inversores-on-grid", "inversores-hibridos"}


def test_brands_and_distributors(catalog, api_client):
    brands = api_client.get(reverse("api:catalog-brands")).json()
    distributors = api_client.get(reverse("api:catalog-distributors")).json()

    assert {"name": "Fronius", "slug": "fronius"}.items() <= next(
        b for b in brands if b["slug"] == "fronius"
    ).items()
    odex = next(d for d in distributors if d["slug"] == "odex")
    assert odex["states"] == ["GO", "MG"]


def test_anonymous_callers_are_throttled(catalog, api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "9/min"},
    }

    statuses = [api_client.get(reverse("api:catalog-brands")).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_openapi_documents_the_catalog_paths(client):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    for path in (
        "/api/v1/catalog/products/",
        "/api/v1/catalog/products/{id}/",
        "/api/v1/catalog/search/",
        "/api/v1/catalog/categories/",
        "/api/v1/catalog/brands/",
        "/api/v1/catalog/distributors/",
    ):
        assert path in paths
    parameters = {p["name"] for p in paths["/api/v1/catalog/products/"]["get"]["parameters"]}
    assert {"kind", "brand", "category", "state", "power_min", "ordering", "cursor", "page"} <= parameters


def test_cached_pages_are_dropped_when_the_index_changes(catalog, api_client, fresh_qdrant):
    # given the list and a search served (and cached) once
    product = catalog["ODA550-36V-MH"]
    assert api_client.get(PRODUCTS, {"page_size": 200}).status_code == 200
    assert api_client.get(SEARCH, {"q": "osda"}).json()["results"][0]["id"] == product.id

    # when the product is renamed and re-indexed (what the admin's save triggers)
    Product.objects.filter(id=product.id).update(name="Módulo OSDA Apollo 550W ODA550-36V-MH")
    products_index(product_ids=[product.id])

    # then both show the change at once, without waiting for the cache to expire
    rows = {row["id"]: row for row in api_client.get(PRODUCTS, {"page_size": 200}).json()["results"]}
    assert rows[product.id]["name"] == "Módulo OSDA Apollo 550W ODA550-36V-MH"
    found = api_client.get(SEARCH, {"q": "osda apollo"}).json()["results"]
    assert found[0]["id"] == product.id and "Apollo" in found[0]["name"]

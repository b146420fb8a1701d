"""Frequently bought together on the product page: the storefront API detail and the portal
page, from associations mined from kits, in a constant number of queries."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.baskets import product_associations_refresh
from catalog.models import Product
from catalog.models.taxonomy import ProductKind as K
from catalog.search.cache import local_caches_clear
from catalog.tests.factories import KitComponentFactory, ProductFactory
from catalog.tests.search_factories import fresh_local_caches, indexed_catalog

pytestmark = [pytest.mark.django_db, pytest.mark.urls("catalog.tests.portal_urls")]


@pytest.fixture(autouse=True)
def _fresh_local_caches():
    yield from fresh_local_caches()


@pytest.fixture(scope="module")
def catalog(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from indexed_catalog(django_db_blocker, tmp_path_factory.mktemp("qdrant"))


@pytest.fixture
def two_more_kits(catalog):
    """The fixture's three kits — FRO {JA 550, Primo, RS-224, SB-1000}, GRO {CS6W, MIN, Pratyc},
    HOY {TSM, HMS, RS-224} — plus {JA 550, Primo, RS-224} and {JA 550, Primo}. By hand, N = 5:
    w(JA)=3, w(Primo)=3, w(RS-224)=3; JA+Primo in 3 kits: support 3/5, confidence 1, lift
    3·5/(3·3)=5/3; JA+RS-224 in 2: support 2/5, confidence 2/3, lift 2·5/(3·3)=10/9;
    JA+SB-1000 in one kit only: not recommended."""
    ja, primo, rs = catalog["JAM72S30-550/MR"], catalog["PRIMO 5.0-1"], catalog["RS-224"]
    for parts in ([ja, primo, rs], [ja, primo]):
        kit = ProductFactory(kind=K.KIT, specs={"power_kwp": 5.5})
        for part in parts:
            KitComponentFactory(kit=kit, component=part, quantity=1)
    assert Product.objects.filter(kind=K.KIT, is_active=True).count() == 5
    return ja, primo, rs


def detail(client, product):
    return client.get(reverse("api:catalog-product-detail", args=[product.id]), {"state": "SP"})


def test_api_detail_lists_what_is_bought_with_the_product(two_more_kits, api_client):
    ja, primo, rs = two_more_kits
    product_associations_refresh()

    body = detail(api_client, ja).json()

    together = body["recommendations"]["frequently_bought_together"]
    assert together["source"] == "baskets"
    assert [item["product"]["id"] for item in together["items"]] == [primo.id, rs.id]
    first, second = (item["details"] for item in together["items"])
    assert first["support"] == pytest.approx(3 / 5, abs=1e-4)
    assert first["confidence"] == 1.0 and first["lift"] == pytest.approx(5 / 3, abs=1e-3)
    assert first["baskets"] == 3
    assert second["confidence"] == pytest.approx(2 / 3, abs=1e-4)
    assert second["lift"] == pytest.approx(10 / 9, abs=1e-3)
    assert together["items"][0]["product"]["name"] == primo.name  # a full product row


def test_api_detail_query_count_does_not_grow_with_associations(
    two_more_kits, api_client, django_assert_max_num_queries
):
    ja, _, _ = two_more_kits

    def queries_for_detail() -> int:
        cache.clear()  # recommendations are memoized for a minute
        local_caches_clear()
        with CaptureQueriesContext(connection) as queries:
            assert detail(api_client, ja).status_code == 200
        return len(queries)

    # given the same page without and then with two associations
    without = queries_for_detail()
    product_associations_refresh()
    with django_assert_max_num_queries(9):
        cache.clear()
        local_caches_clear()
        assert detail(api_client, ja).status_code == 200
    with_two = queries_for_detail()

    # then
    assert without == with_two, (without, with_two)


def test_portal_product_page_shows_the_block_only_with_associations(two_more_kits, owner_membership):
    ja, primo, _ = two_more_kits
    browser = Client()
    browser.force_login(owner_membership.user)
    url = reverse("catalog_portal:detail", args=[ja.id])

    before = browser.get(url).content.decode()
    product_associations_refresh()
    cache.clear()
    local_caches_clear()
    after = browser.get(url).content.decode()

    assert 'data-testid="bought-together"' not in before
    block = re.search(r'data-testid="bought-together">(.*?)</ul>', after, re.S)
    assert block, "the Frequently bought together block"
    assert reverse("catalog_portal:detail", args=[primo.id]) in block.group(1)
    assert "100%" in block.group(1)  # Primo is in every basket with the JA module

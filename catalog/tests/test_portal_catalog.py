"""Portal catalog pages: browse with facets, search, filters, the product page, access rules and
query counts."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from catalog.models.taxonomy import ProductKind
from catalog.search.cache import local_caches_clear
from catalog.tests.search_factories import fresh_local_caches, indexed_catalog, unused_loopback_port

pytestmark = [pytest.mark.django_db, pytest.mark.urls("catalog.tests.portal_urls")]

K = ProductKind


@pytest.fixture(autouse=True)
def _fresh_local_caches():
    yield from fresh_local_caches()


@pytest.fixture(scope="module")
def catalog(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from indexed_catalog(django_db_blocker, tmp_path_factory.mktemp("qdrant"))


@pytest.fixture
def browser(owner_membership) -> Client:
    client = Client()
    client.force_login(owner_membership.user)
    client.membership = owner_membership
    return client


def card_ids(response) -> list[int]:
    return [int(pid) for pid in re.findall(r'data-product-id="(\d+)"', response.content.decode())]


def test_catalog_list_shows_products_facets_and_the_search_box(catalog, browser):
    response = browser.get(reverse("catalog_portal:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html and 'role="search"' in html
    assert len(card_ids(response)) == 24  # first page
    assert 'data-facet="kind"' in html and 'data-facet="brand"' in html and 'data-facet="power"' in html
    total = Product.objects.filter(is_active=True).count()
    assert f"{total} produto" in html or f"{total} product" in html
    assert 'rel="next"' in html


def test_facet_links_filter_and_toggle(catalog, browser):
    # given the list
    listed = browser.get(reverse("catalog_portal:list"))
    links = re.findall(r'data-facet="kind".*?</section>', listed.content.decode(), re.S)[0]
    inverter_link = re.search(r'href="(\?[^"]*kind=inverter[^"]*)"', links).group(1).replace("&amp;", "&")

    # when following the "inverter" facet
    filtered = browser.get(reverse("catalog_portal:list") + inverter_link)

    # then only inverters are listed and the facet is marked active with a link that removes it
    products = Product.objects.filter(id__in=card_ids(filtered))
    assert products and {p.kind for p in products} == {K.INVERTER}
    assert 'aria-current="true"' in filtered.content.decode()


def test_search_from_the_portal_finds_misspelt_brands(catalog, browser):
    response = browser.get(reverse("catalog_portal:list"), {"q": "fronios"})

    ids = card_ids(response)
    fronius = set(Product.objects.filter(brand__name="Fronius").values_list("id", flat=True))
    assert ids and set(ids[:5]) <= fronius
    assert "fronius" in response.content.decode()  # "also searched for"


def test_search_says_when_it_is_text_only(catalog, browser, settings):
    settings.QDRANT_URL = f"http://127.0.0.1:{unused_loopback_port()}"
    settings.QDRANT_TIMEOUT = 1

    response = browser.get(reverse("catalog_portal:list"), {"q": "microinversor hoymiles"})

    assert response.status_code == 200
    assert 'data-testid="search-degraded"' in response.content.decode()
    assert card_ids(response)[:3]


def test_bad_filters_are_reported_not_a_500(catalog, browser):
    response = browser.get(reverse("catalog_portal:list"), {"power_min": "abc", "state": "XX"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and "power_min" in html and "state" in html
    assert card_ids(response)  # the catalog is still shown


def test_filters_from_the_form_apply(catalog, browser):
    response = browser.get(
        reverse("catalog_portal:list"),
        {"power_min": "5000", "power_max": "5000", "ordering": "price", "kind": "inverter"},
    )

    products = Product.objects.in_bulk(card_ids(response))
    assert products and all(p.power_w == 5000 and p.kind == K.INVERTER for p in products.values())
    prices = [products[pid].min_price for pid in card_ids(response)]
    assert prices == sorted(prices)


def test_list_query_count_does_not_depend_on_the_catalog_page(catalog, browser):
    # given a warm session (the first request loads the user's memberships once)
    browser.get(reverse("catalog_portal:list"))

    counts = []
    for params in ({"kind": "structure"}, {}):  # 3 products vs a full page of 24
        cache.clear()  # facets computed, not served from the cache
        local_caches_clear()
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(reverse("catalog_portal:list"), params)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 16


def test_product_page_shows_offers_for_the_organizations_state_first(catalog, browser):
    # given an organization in one of the states the product is stocked in
    product = catalog["PRIMO 5.0-1"]
    state = (
        product.offers.filter(stock__gt=0).order_by("-price").values_list("warehouse__state", flat=True)[0]
    )
    organization = browser.membership.organization
    organization.state = state
    organization.save(update_fields=["state"])

    # when opening the product page
    response = browser.get(reverse("catalog_portal:detail", args=[product.id]))

    # then the first offer row is from that state, marked as the best offer
    html = response.content.decode()
    assert response.status_code == 200 and product.name in html
    first_row = re.search(r'<tr class="is-best" data-offer-state="(\w\w)">', html)
    assert first_row and first_row.group(1) == state
    # with the compliance badge (INMETRO + ENCE) and the specs
    assert product.inmetro_registration in html and "ENCE A" in html
    assert 'data-testid="specs"' in html and "MPPT" in html


def test_product_page_flags_a_missing_registration(catalog, browser):
    product = catalog["MIN 5000TL-X"]
    Product.objects.filter(id=product.id).update(inmetro_registration="")

    html = browser.get(reverse("catalog_portal:detail", args=[product.id])).content.decode()

    assert 'data-compliance="missing"' in html


def test_kit_page_shows_its_parts_and_the_difference(catalog, browser):
    kit = catalog["KIT-FRO-5.5"]

    html = browser.get(reverse("catalog_portal:detail", args=[kit.id])).content.decode()

    assert 'data-testid="kit"' in html and 'data-testid="kit-savings"' in html
    assert catalog["PRIMO 5.0-1"].name in html


def test_unknown_product_is_404(catalog, browser):
    assert browser.get(reverse("catalog_portal:detail", args=[999999])).status_code == 404


def test_organization_without_the_catalog_module_is_refused(catalog, browser):
    organization = browser.membership.organization
    organization.enabled_modules = ["engineering"]
    organization.save(update_fields=["enabled_modules"])

    assert browser.get(reverse("catalog_portal:list")).status_code == 403
    assert browser.get(reverse("catalog_portal:detail", args=[catalog["US5000"].id])).status_code == 403


def test_visitors_are_sent_to_sign_in(catalog):
    response = Client().get(reverse("catalog_portal:list"))

    assert response.status_code == 302 and "/portal/login/" in response["Location"]


@override_settings(LANGUAGE_CODE="pt-br")
def test_pages_render_money_the_brazilian_way(catalog, browser):
    html = browser.get(reverse("catalog_portal:detail", args=[catalog["US5000"].id])).content.decode()
    assert re.search(r"R\$ \d{1,3}(\.\d{3})*,\d{2}", html)

"""Storefront catalog API, the product page: specs, offers (the buyer's best first), compliance
flags, kit pricing, recommendations, errors and query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.compliance import ComplianceStatus, noncompliant_q, product_compliance
from catalog.models import Offer, Product
from catalog.models.taxonomy import ProductKind
from catalog.storefront.detail import offers_ranked
from catalog.tests.search_factories import fresh_local_caches, indexed_catalog

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


# --- detail --------------------------------------------------------------------------------


def test_detail_shows_specs_offers_compliance_warranty_and_recommendations(catalog, api_client):
    module = catalog["JAM72S30-550/MR"]

    response = api_client.get(detail_url(module), {"state": "SP"})

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == module.name and body["specs"]["voc_v"] == 49.9
    voc = next(row for row in body["spec_table"] if row["key"] == "voc_v")
    assert voc["value"] == "49,9" and voc["unit"] == "V"
    assert body["compliance"]["status"] == "ok" and body["compliance"]["ence_class"] == "A"
    assert body["compliance"]["inmetro_registration"] == module.inmetro_registration
    assert body["warranty"] == {"product_years": 12, "performance_years": 25}
    assert body["buyer_state"] == "SP"
    assert len(body["offers"]) == module.offers.count()
    assert set(body["recommendations"]) == {"similar", "compatible", "frequently_bought_together"}
    assert body["recommendations"]["frequently_bought_together"]["source"] == "baskets"
    assert body["recommendations"]["similar"]["source"] == "vector"
    compatible = {item["product"]["id"]: item for item in body["recommendations"]["compatible"]["items"]}
    assert compatible, "a 550 W module has inverters it can be strung on"
    assert body["category_path"][0]["slug"] == "modulos-fotovoltaicos"


def test_detail_puts_the_best_offer_for_the_buyers_state_first(catalog, api_client):
    # given a product offered in several states
    product = catalog["PRIMO 5.0-1"]
    states = set(product.offers.values_list("warehouse__state", flat=True))
    stocked = set(product.offers.filter(stock__gt=0).values_list("warehouse__state", flat=True))

    for state in sorted(stocked):
        # when the buyer is in one of them
        body = api_client.get(detail_url(product), {"state": state}).json()

        # then the first offer is the cheapest in stock there, marked best
        best = body["offers"][0]
        assert best["is_best"] and best["warehouse"]["state"] == state and best["in_stock"]
        cheapest = product.offers.filter(warehouse__state=state, stock__gt=0).order_by("price").first()
        assert best["id"] == cheapest.id and body["best_offer"]["id"] == cheapest.id
    assert states


def test_detail_uses_the_callers_organization_state(catalog, member_client):
    product = catalog["PRIMO 5.0-1"]
    organization = member_client.membership.organization
    state = product.offers.filter(stock__gt=0).values_list("warehouse__state", flat=True).first()
    organization.state = state
    organization.save(update_fields=["state"])

    body = member_client.get(detail_url(product)).json()

    assert body["buyer_state"] == state
    assert body["offers"][0]["warehouse"]["state"] == state


def test_offers_ranked_falls_back_to_stock_elsewhere_then_price():
    class W:
        def __init__(self, state):
            self.state, self.name, self.city = state, f"CD {state}", ""

    class D:
        name, slug = "Dist", "dist"

    def offer(pk, state, price, stock):
        o = Offer(
            id=pk, sku=str(pk), title="x", price=Decimal(price), stock=stock, last_seen_at=timezone.now()
        )
        o.distributor_id = 1
        o._state.fields_cache = {"warehouse": W(state), "distributor": D()}
        return o

    offers = [offer(1, "SP", "900", 0), offer(2, "PR", "1000", 5), offer(3, "GO", "950", 2)]

    ranked = offers_ranked(offers, state="SP")

    # no stock in SP: the cheapest offer in stock anywhere is best, SP's offer follows
    assert [o.id for o in ranked] == [3, 1, 2]
    assert ranked[0].is_best and not ranked[1].is_best


def test_detail_of_a_kit_compares_its_price_with_its_parts(catalog, api_client):
    kit = catalog["KIT-FRO-5.5"]

    body = api_client.get(detail_url(kit)).json()

    parts = body["kit"]["components"]
    assert {part["product"]["id"] for part in parts} == set(
        kit.components.values_list("component_id", flat=True)
    )
    total = sum(Decimal(part["subtotal"]) for part in parts)
    assert Decimal(body["kit"]["components_total"]) == total
    assert Decimal(body["kit"]["savings"]) == total - kit.min_price > 0
    assert body["kit"]["kwp_from_components"] == 5.5
    # structures and string boxes for the kit
    roles = {item["role"] for item in body["recommendations"]["compatible"]["items"]}
    assert roles == {"structure", "string_box"}


def test_detail_flags_missing_and_expired_inmetro_registrations(catalog, api_client):
    # given one inverter without registration and a module whose registration expired
    inverter, module = catalog["SG5.0RS"], catalog["CS3U-335P"]
    Product.objects.filter(id=inverter.id).update(inmetro_registration="", ence_class="")
    Product.objects.filter(id=module.id).update(inmetro_valid_until=timezone.localdate() - timedelta(days=1))

    # then the API flags both, in the detail and in the list
    missing = api_client.get(detail_url(inverter)).json()["compliance"]
    expired = api_client.get(detail_url(module)).json()["compliance"]
    assert missing["status"] == "missing" and missing["flagged"] and missing["ence_missing"]
    assert expired["status"] == "expired" and expired["flagged"]
    rows = {row["id"]: row for row in api_client.get(PRODUCTS, {"page_size": 200}).json()["results"]}
    assert rows[inverter.id]["compliance"]["flagged"] and rows[module.id]["compliance"]["status"] == "expired"
    # and the admin's queryset filter finds exactly them
    assert set(Product.objects.filter(noncompliant_q()).values_list("id", flat=True)) == {
        inverter.id,
        module.id,
    }


def test_compliance_rules():
    today = timezone.localdate()

    def status(kind, registration="001234/2023", valid_until=None, ence="A"):
        return product_compliance(
            kind=kind,
            inmetro_registration=registration,
            inmetro_valid_until=valid_until,
            ence_class=ence,
            today=today,
        )

    assert status(K.MODULE).status == ComplianceStatus.OK
    assert status(K.MICROINVERTER, registration="").status == ComplianceStatus.MISSING
    assert status(K.INVERTER, valid_until=today - timedelta(days=1)).flagged
    assert status(K.INVERTER, valid_until=today).status == ComplianceStatus.EXPIRING
    assert not status(K.INVERTER, valid_until=today + timedelta(days=30)).flagged
    assert status(K.CABLE, registration="").status == ComplianceStatus.NOT_REQUIRED
    assert status(K.MODULE, ence="").ence_missing


def test_detail_errors(catalog, api_client):
    inactive = catalog["ENERGYFLEX-4-VM"]
    Product.objects.filter(id=inactive.id).update(is_active=False)

    assert api_client.get(reverse("api:catalog-product-detail", args=[999999])).status_code == 404
    assert api_client.get(detail_url(inactive)).status_code == 404
    bad_state = api_client.get(detail_url(catalog["US5000"]), {"state": "XX"})
    assert bad_state.status_code == 400 and "state" in bad_state.json()
    bad_modules = api_client.get(detail_url(catalog["US5000"]), {"modules": "0"})
    assert bad_modules.status_code == 400 and "modules" in bad_modules.json()


def test_detail_with_a_module_count_designs_strings_for_it(catalog, api_client):
    body = api_client.get(detail_url(catalog["JAM72S30-550/MR"]), {"modules": 10}).json()

    designs = [
        item["details"]
        for item in body["recommendations"]["compatible"]["items"]
        if item["role"] == "inverter"
    ]
    assert designs and all(design["modules"] == 10 for design in designs)


@pytest.mark.parametrize("code", ["JAM72S30-550/MR", "KIT-FRO-5.5", "US5000"])
def test_detail_query_count_is_constant(catalog, api_client, django_assert_max_num_queries, code):
    with django_assert_max_num_queries(9):
        response = api_client.get(detail_url(catalog[code]), {"state": "SP"})
    assert response.status_code == 200

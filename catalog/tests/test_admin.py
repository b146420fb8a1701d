"""Catalog admin: flat query counts, drill-down pages, actions calling services, the compliance
filter, the coverage report page and its staff API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from catalog.models import BrandAlias, DedupCandidate, ImportRun, Offer, Product
from catalog.models.imports import DedupDecision, ImportRunStatus, ListingStatus
from catalog.models.taxonomy import ProductKind as K
from catalog.tests.factories import (
    BrandFactory,
    DedupCandidateFactory,
    ImportRunFactory,
    KitComponentFactory,
    OfferFactory,
    PriceHistoryFactory,
    ProductFactory,
    RawListingFactory,
    WarehouseFactory,
)
from ysh.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:catalog_product_changelist",
    "admin:catalog_offer_changelist",
    "admin:catalog_pricehistory_changelist",
    "admin:catalog_importrun_changelist",
    "admin:catalog_rawlisting_changelist",
    "admin:catalog_dedupcandidate_changelist",
    "admin:catalog_brand_changelist",
    "admin:catalog_brandalias_changelist",
    "admin:catalog_category_changelist",
    "admin:catalog_distributor_changelist",
    "admin:catalog_warehouse_changelist",
]


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.user = staff
    return client


def _populate(n: int) -> None:
    for i in range(n):
        offer = OfferFactory(
            product__inmetro_registration="" if i % 2 else "083796/2023",
            product__images=["https://cdn.example.com/p.jpg"],
        )
        PriceHistoryFactory(offer=offer)
        listing = RawListingFactory(product=offer.product, offer=offer, reasons=["price missing"])
        DedupCandidateFactory(listing__import_run=listing.import_run, candidate=offer.product)
        KitComponentFactory(component=offer.product)
        BrandAlias.objects.create(brand=offer.product.brand, alias=f"marca{offer.pk}")


@pytest.mark.parametrize("url_name", CHANGELISTS)
def test_changelists_render_with_flat_query_counts(staff_client, url_name, django_assert_max_num_queries):
    # given a few rows, then many more
    _populate(2)
    staff_client.get(reverse(url_name))  # warm caches (content types, permissions)
    with django_assert_max_num_queries(16) as few:
        assert staff_client.get(reverse(url_name)).status_code == 200
    _populate(15)
    # then the number of queries does not grow with the rows shown
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(reverse(url_name)).status_code == 200


def test_change_pages_render(staff_client):
    _populate(1)
    product = Product.objects.filter(kind=K.MODULE).first()
    product.spec_errors = ["efficiency_pct: Input should be less than or equal to 30"]
    product.save()
    listing = RawListingFactory(
        raw='{"sku": "FTL-MOD-00001", "name": "Módulo Solar JA Solar 530Wp"}',
        normalized={"title": "Módulo Solar JA Solar 530Wp", "specs": {"power_w": 530}},
        status=ListingStatus.REJECTED,
        reasons=["price missing"],
    )
    pages = [
        ("admin:catalog_product_change", product.pk, "efficiency_pct: Input should be less"),
        ("admin:catalog_rawlisting_change", listing.pk, "&quot;power_w&quot;: 530"),
        ("admin:catalog_rawlisting_change", listing.pk, "price missing"),
        ("admin:catalog_importrun_change", listing.import_run_id, "rejected (0)"),
        ("admin:catalog_dedupcandidate_change", DedupCandidate.objects.first().pk, "candidate"),
        ("admin:catalog_distributor_change", Offer.objects.first().distributor_id, "warehouse"),
        ("admin:catalog_brand_change", product.brand_id, "alias"),
    ]
    for name, pk, text in pages:
        response = staff_client.get(reverse(name, args=[pk]))
        assert response.status_code == 200, name
        assert text in response.content.decode(), (name, text)


def test_import_run_drill_down_to_its_rejected_listings(staff_client):
    run = ImportRunFactory(rejected=1, created=1)
    RawListingFactory(
        import_run=run, external_id="BAD-1", status=ListingStatus.REJECTED, reasons=["price missing"]
    )
    RawListingFactory(import_run=run, external_id="GOOD-1", status=ListingStatus.NEW)
    RawListingFactory(external_id="OTHER-RUN", status=ListingStatus.REJECTED)
    url = reverse("admin:catalog_rawlisting_changelist")
    content = staff_client.get(
        url, {"import_run__id__exact": run.pk, "status__exact": "rejected"}
    ).content.decode()
    assert "BAD-1" in content and "price missing" in content
    assert "GOOD-1" not in content and "OTHER-RUN" not in content


def test_compliance_filter_and_column(staff_client):
    today = timezone.localdate()
    ProductFactory(name="Sem registro", inmetro_registration="")
    ProductFactory(
        name="Vencido", inmetro_registration="001234/2019", inmetro_valid_until=today - timedelta(days=1)
    )
    ProductFactory(name="Em dia", inmetro_registration="083796/2023", inmetro_valid_until=date(2099, 1, 1))
    ProductFactory(name="Cabo sem registro", kind=K.CABLE, inmetro_registration="")
    url = reverse("admin:catalog_product_changelist")
    flagged = staff_client.get(url, {"compliance": "flagged"}).content.decode()
    assert "Sem registro" in flagged and "Vencido" in flagged
    assert "Em dia" not in flagged and "Cabo sem registro" not in flagged
    assert "⚠" in flagged
    valid = staff_client.get(url, {"compliance": "ok"}).content.decode()
    assert "Em dia" in valid and "Vencido" not in valid


def test_brand_alias_inline_stores_the_normalized_spelling(staff_client):
    brand = BrandFactory(name="Sinosola")
    url = reverse("admin:catalog_brand_change", args=[brand.pk])
    response = staff_client.post(
        url,
        {
            "name": brand.name,
            "slug": brand.slug,
            "country": "",
            "website": "",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000",
            "aliases-0-alias": "Sino-Sola Energy",
        },
    )
    assert response.status_code == 302
    assert list(brand.aliases.values_list("alias", flat=True)) == ["sinosolaenergy"]


def test_dedup_merge_action_calls_the_service(staff_client):
    product = ProductFactory()
    WarehouseFactory(code="CD-SP")
    candidate = DedupCandidateFactory(
        candidate=product,
        listing__normalized={
            "external_id": "NEO-9",
            "kind": K.MODULE,
            "category_slug": "modulos-monofaciais",
            "brand_name": product.brand.name,
            "brand_known": True,
            "model_code": "TST-550",
            "model_key": "TST550",
            "title": "Painel 550W",
            "name": "Painel 550W",
            "price": "399.90",
            "specs": {"power_w": 550},
            "warehouses": [],
            "components": [],
            "problems": [],
        },
    )
    WarehouseFactory(distributor=candidate.listing.distributor, code="CD-1")
    url = reverse("admin:catalog_dedupcandidate_changelist")
    response = staff_client.post(url, {"action": "merge", "_selected_action": [candidate.pk]})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.decision == DedupDecision.MERGED
    assert candidate.decided_by == staff_client.user
    assert Offer.objects.get(sku=candidate.listing.external_id).product_id == product.pk
    # deciding again is refused with a message, not an error page, and changes nothing
    response = staff_client.post(
        url, {"action": "keep_separate", "_selected_action": [candidate.pk]}, follow=True
    )
    assert response.status_code == 200
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    with translation.override("pt-br"):
        expected = ngettext(
            "%(count)d match was already decided and was left as it is.",
            "%(count)d matches were already decided and were left as they are.",
            1,
        ) % {"count": 1}
    assert shown[-1] == ("warning", expected)  # (after the first merge's own message)
    candidate.refresh_from_db()
    assert candidate.decision == DedupDecision.MERGED


def test_run_import_now_action(staff_client, demo_distributors, settings, django_capture_on_commit_callbacks):
    # given the demo Odex distributor pointing at the feed server
    settings.CATALOG_INDEX_AFTER_IMPORT = False
    odex = demo_distributors["odex"]
    url = reverse("admin:catalog_distributor_changelist")

    # when staff run it now (the queued task runs eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"action": "run_import_now", "_selected_action": [odex.pk]})

    # then
    assert response.status_code == 302
    run = ImportRun.objects.get(distributor=odex)
    assert run.trigger == "admin" and run.triggered_by == staff_client.user
    assert run.status == ImportRunStatus.SUCCEEDED
    assert run.created > 400


def test_coverage_report_page_and_staff_api(staff_client, api_client):
    # given
    for i in range(4):
        offer = OfferFactory(
            product__warranty_years=12 if i < 3 else None,
            product__inmetro_registration="083796/2023" if i < 2 else "",
            product__specs={"power_w": 550, "efficiency_pct": 21.3},
            price=Decimal("399.90"),
        )
        offer.product.min_price = offer.price
        offer.product.quality_score = 30 + 20 * i
        offer.product.save()

    # when / then: the admin page
    page = staff_client.get(reverse("admin:catalog_product_coverage"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "75,0" in html  # warranty: 3 of 4 (pt-BR decimals)
    assert "50,0" in html  # INMETRO: 2 of 4

    # and the staff API
    api_client.force_login(staff_client.user)
    data = api_client.get("/api/v1/catalog/coverage/").json()
    assert data["products"] == 4
    assert data["overall"]["warranty"] == 75.0
    assert data["overall"]["price_analysis"] == 100.0
    assert data["overall"]["inmetro"] == 50.0
    module = next(k for k in data["kinds"] if k["kind"] == K.MODULE)
    assert module["technical_specs"] == round(100 * 2 / 12, 1)
    assert [b["products"] for b in data["quality_distribution"]] == [1, 1, 1, 1]

    outsider = UserFactory()
    api_client.force_login(outsider)
    assert api_client.get("/api/v1/catalog/coverage/").status_code == 403
    api_client.logout()
    assert api_client.get("/api/v1/catalog/coverage/").status_code in (401, 403)


def test_kit_price_against_the_sum_of_its_parts():
    from catalog.selectors import kit_price_breakdown

    # given a kit of 10 modules and 1 inverter with their best prices
    kit = ProductFactory(kind=K.KIT, min_price=Decimal("8990.00"), specs={"power_kwp": 5.5})
    module = ProductFactory(min_price=Decimal("399.90"))
    inverter = ProductFactory(kind=K.INVERTER, min_price=Decimal("5290.00"), specs={"ac_power_w": 5000})
    KitComponentFactory(kit=kit, component=module, quantity=10)
    KitComponentFactory(kit=kit, component=inverter, quantity=1)

    # when
    breakdown = kit_price_breakdown(kit=kit)

    # then
    assert breakdown["parts_price"] == Decimal("9289.00")
    assert breakdown["saving"] == Decimal("299.00")
    assert [p["quantity"] for p in breakdown["parts"]] == [1, 10]


def test_import_runs_cannot_be_deleted_in_the_admin(staff_client):
    # given a run with a listing staff decided on
    listing = RawListingFactory(status=ListingStatus.REVIEW)

    # when staff opens its delete page
    response = staff_client.get(reverse("admin:catalog_importrun_delete", args=[listing.import_run_id]))

    # then it is refused, and the run with its listing stay
    assert response.status_code == 403
    assert ImportRun.objects.filter(pk=listing.import_run_id).exists()

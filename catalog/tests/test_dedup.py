"""Deduplicate: exact key, fuzzy merge, the review queue and staff decisions, and the precision
measured on the four sample feeds."""

from collections import defaultdict
from decimal import Decimal
from itertools import combinations

import pytest
from django.utils import translation

from catalog import services
from catalog.models import DedupCandidate, ImportRun, Offer, Product, RawListing
from catalog.models.imports import DedupDecision, ImportRunStatus, ListingStatus
from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline.dedup import (
    MERGE_SCORE,
    REVIEW_SCORE,
    ProductIndex,
    ProductRef,
    code_numbers,
    listing_match,
)
from catalog.pipeline.types import NormalizedListing
from catalog.tests.factories import DedupCandidateFactory, ProductFactory, RawListingFactory, WarehouseFactory
from ysh.errors import InvalidState

BRAND = 7


@pytest.fixture(autouse=True)
def _reasons_in_english():
    """Reasons go through gettext (pt-BR in the admin); the assertions read the English msgids."""
    with translation.override("en"):
        yield


def listing(code: str, key: str, kind: str = K.INVERTER, **specs) -> NormalizedListing:
    return NormalizedListing(
        external_id="L-1",
        kind=kind,
        category_slug="",
        brand_name="Marca",
        brand_known=True,
        model_code=code,
        model_key=key,
        title=code,
        name=code,
        price=Decimal("1000"),
        specs=specs,
    )


@pytest.fixture
def index():
    return ProductIndex(
        [
            ProductRef(1, BRAND, K.INVERTER, "SUN5KSG04LP1", "SUN-5K-SG04LP1", Decimal(5000)),
            ProductRef(2, BRAND, K.INVERTER, "MIN5000TLX", "MIN 5000TL-X", Decimal(5000), {"phases": 1}),
            ProductRef(
                3, BRAND, K.INVERTER, "SUN20003KTLM1", "SUN2000-3KTL-M1", Decimal(3000), {"phases": 3}
            ),
            ProductRef(4, BRAND, K.MODULE, "JAM72S30550", "JAM72S30-550/MR", Decimal(550)),
            ProductRef(
                5, BRAND, K.MODULE, "JKM565N72HL4V", "JKM565N-72HL4-V", Decimal(565), {"bifacial": False}
            ),
            ProductRef(6, BRAND, K.INVERTER, "GW5000DNS30", "GW5000-DNS-30", Decimal(5000)),
        ]
    )


def test_exact_key_within_brand_and_kind(index):
    assert (
        listing_match(
            listing("JAM72S30 550W", "JAM72S30550", K.MODULE), brand_id=BRAND, index=index
        ).product_id
        == 4
    )
    assert (
        listing_match(listing("JAM72S30 550W", "JAM72S30550", K.MODULE), brand_id=99, index=index).decision
        == "new"
    )
    assert (
        listing_match(listing("X", "JAM72S30550", K.INVERTER), brand_id=BRAND, index=index).decision == "new"
    )


def test_fuzzy_merges_a_market_suffix(index):
    match = listing_match(
        listing("SUN-5K-SG04LP1-EU", "SUN5KSG04LP1EU", ac_power_w=5000), brand_id=BRAND, index=index
    )
    assert (match.decision, match.product_id) == ("merge", 1)
    assert match.score >= MERGE_SCORE


def test_a_letter_variant_goes_to_review_not_merged(index):
    # "MIN 5000TL-XH" is a battery-ready variant of "MIN 5000TL-X": staff decide
    match = listing_match(
        listing("MIN 5000TL-XH", "MIN5000TLXH", ac_power_w=5000), brand_id=BRAND, index=index
    )
    assert match.decision == "review"
    assert match.candidates[0][0] == 2
    assert any("variant" in why for why in match.candidates[0][2])


def test_middle_band_goes_to_review(index):
    # "GW5K-DNS-30" is written with the power in kW: the numbers agree, the text only half
    match = listing_match(listing("GW5K-DNS-30", "GW5KDNS30", ac_power_w=5000), brand_id=BRAND, index=index)
    assert match.decision == "review"
    assert REVIEW_SCORE <= match.score < MERGE_SCORE


@pytest.mark.parametrize(
    ("code", "key", "kind", "specs", "why"),
    [
        ("JAM72S30-545/MR", "JAM72S30545", K.MODULE, {"power_w": 545}, "different numbers"),
        ("SUN2000-3KTL-L1", "SUN20003KTLL1", K.INVERTER, {"ac_power_w": 3000, "phases": 1}, "phases differ"),
        ("JKM565N-72HL4-BDV", "JKM565N72HL4BDV", K.MODULE, {"power_w": 565, "bifacial": True}, "bifacial"),
        ("SUN-5K-SG04LP1-EU", "SUN5KSG04LP1EU", K.INVERTER, {"ac_power_w": 8000}, "power differs"),
    ],
)
def test_guards_make_a_new_product(index, code, key, kind, specs, why):
    assert listing_match(listing(code, key, kind, **specs), brand_id=BRAND, index=index).decision == "new", (
        why
    )


def test_numbers_read_kilo():
    assert code_numbers("GW5K-DNS-30") == code_numbers("GW5000-DNS-30") == [30, 5000]


# --- the review queue and staff decisions ---------------------------------------------------------
def _review_listing(*, distributor, candidate, external_id="NEO-77"):
    WarehouseFactory(distributor=distributor, code="CD-SP", state="SP")
    normalized = {
        "external_id": external_id,
        "kind": candidate.kind,
        "category_slug": "modulos-monofaciais",
        "brand_name": candidate.brand.name,
        "brand_known": True,
        "model_code": "TSM-550DE19",
        "model_key": "TSM550DE19",
        "title": "Painel Trina TSM-550DE19 550W",
        "name": "Módulo Fotovoltaico Trina Solar TSM-550DE19",
        "price": "399.90",
        "specs": {"power_w": 550},
        "warehouses": [
            {
                "code": "CD-SP",
                "name": "",
                "state": "SP",
                "city": "",
                "stock": 12,
                "price": None,
                "lead_time_days": 3,
            }
        ],
        "components": [],
        "problems": [],
    }
    raw = RawListingFactory(
        import_run__distributor=distributor,
        external_id=external_id,
        status=ListingStatus.REVIEW,
        normalized=normalized,
    )
    return DedupCandidateFactory(listing=raw, candidate=candidate)


@pytest.mark.django_db
def test_merge_moves_the_listing_offer_to_the_candidate(django_user_model):
    # given a listing waiting in review against a product
    product = ProductFactory(model_code="TSM-DE19-550", model_key="TSMDE19550")
    candidate = _review_listing(distributor=RawListingFactory().distributor, candidate=product)
    staff = django_user_model.objects.create_user(email="staff@ysh.com.br", password="x" * 12, is_staff=True)

    # when staff merge it
    services.dedup_candidate_merge(candidate=candidate, user=staff)

    # then the distributor's offer is on the candidate product and the queue entry is decided
    candidate.refresh_from_db()
    assert candidate.decision == DedupDecision.MERGED
    assert candidate.decided_by == staff
    offer = Offer.objects.get(sku="NEO-77")
    assert (offer.product_id, offer.price, offer.stock) == (product.pk, Decimal("399.90"), 12)
    product.refresh_from_db()
    assert (product.min_price, product.offer_count, product.in_stock) == (Decimal("399.90"), 1, True)
    with pytest.raises(InvalidState):
        services.dedup_candidate_merge(candidate=candidate, user=staff)


@pytest.mark.django_db
def test_keep_separate_creates_a_product_of_its_own():
    product = ProductFactory(model_code="TSM-DE19-550", model_key="TSMDE19550")
    candidate = _review_listing(distributor=RawListingFactory().distributor, candidate=product)
    products_before = Product.objects.count()

    services.dedup_candidate_separate(candidate=candidate)

    candidate.refresh_from_db()
    assert candidate.decision == DedupDecision.SEPARATE
    offer = Offer.objects.get(sku="NEO-77")
    assert offer.product_id != product.pk
    assert Product.objects.count() == products_before + 1
    assert offer.product.model_key == "TSM550DE19"


@pytest.mark.django_db
def test_a_decided_listing_keeps_its_decision_on_reruns(demo_distributors, settings):
    # given a full Odex import with a listing staff merged by hand into another product
    from catalog.services import import_run_execute

    settings.CATALOG_INDEX_AFTER_IMPORT = False
    odex = demo_distributors["odex"]
    import_run_execute(distributor=odex, trigger="admin")
    offer = Offer.objects.filter(distributor=odex, product__kind=K.MODULE).select_related("product").first()
    other = ProductFactory(kind=K.MODULE, brand=offer.product.brand)
    Offer.objects.filter(distributor=odex, sku=offer.sku).update(product=other)

    # when the feed is imported again, unchanged
    run = import_run_execute(distributor=odex, trigger="admin")

    # then the SKU stays where staff put it
    assert run.status == ImportRunStatus.SUCCEEDED
    assert set(
        Offer.objects.filter(distributor=odex, sku=offer.sku).values_list("product_id", flat=True)
    ) == {other.pk}


# --- precision on the sample feeds ----------------------------------------------------------------
@pytest.mark.django_db
def test_sample_feed_precision(demo_distributors, settings):
    """Every listing of the four sample feeds is generated from a product master list, so the
    grouping the pipeline makes can be scored: pairs of listings put on one product that are
    truly one product (precision) and pairs of one product that were put together (recall)."""
    from catalog.fixtures.listings import listings_for
    from catalog.services import import_run_execute

    settings.CATALOG_INDEX_AFTER_IMPORT = False
    truth = {}
    for slug, rows in listings_for().items():
        for row in rows:
            truth.setdefault((slug, row.sku), row.product.code)  # a repeated SKU: the feed keeps the first

    for distributor in demo_distributors.values():
        run = import_run_execute(distributor=distributor, trigger="admin")
        assert run.status == ImportRunStatus.SUCCEEDED, run.errors

    listings = {
        (slug, sku): product_id
        for slug, sku, product_id in Offer.objects.values_list(
            "distributor__slug", "sku", "product_id"
        ).distinct()
    }
    by_product = defaultdict(list)
    by_truth = defaultdict(list)
    for key, product_id in listings.items():
        by_product[product_id].append(truth[key])
        by_truth[truth[key]].append(product_id)
    together = [(a == b) for codes in by_product.values() for a, b in combinations(codes, 2)]
    same = [(a == b) for products in by_truth.values() for a, b in combinations(products, 2)]
    precision = sum(together) / len(together)
    recall = sum(same) / len(same)
    queued = DedupCandidate.objects.filter(decision=DedupDecision.PENDING).count()
    products = Product.objects.count()
    print(f"\ndedup on the sample feeds: precision {precision:.4f}, recall {recall:.4f}, ")
    print(f"{products} products from {len(listings)} listings, {queued} in review")
    assert precision >= 0.99
    assert recall >= 0.97
    assert queued <= 0.01 * len(listings)
    assert RawListing.objects.filter(status=ListingStatus.REVIEW).count() == sum(
        ImportRun.objects.values_list("review", flat=True)
    )

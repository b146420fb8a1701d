"""Import runs over real HTTP from the feed server: counts, idempotency, price history, bad data
never overwriting good data, delisting, failure isolation, no overlap, query counts."""

import json
import os
import socket
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from catalog.feedserver import start_feed_server
from catalog.fixtures.constants import FEEDS_DIR
from catalog.fixtures.distributors import distributors_install
from catalog.models import Distributor, ImportRun, Offer, PriceHistory, Product, RawListing
from catalog.models.imports import ImportRunStatus, ListingStatus
from catalog.services import import_run_execute

pytestmark = pytest.mark.django_db

GOOD = [f"FTL-MOD-{n:05d}" for n in range(1, 31)]
BAD = {
    "FTL-INV-00449": "price missing",  # no price
    "FTL-MOD-00450": "price missing",  # "sob consulta"
    "FTL-INV-00451": "price must be positive",
    "FTL-MOD-00452": "outside",  # R$ 9.999.999,00
    "FTL-MOD-00453": "power_w",  # 0 W
    "FTL-MOD-00454": "power_w",  # 50,000 W
    "FTL-INV-00455": "could not be read",  # no title
    "FTL-MOD-00456": "could not be read",  # garbled
}


@pytest.fixture(autouse=True)
def _reasons_in_english():
    """Reasons go through gettext (pt-BR in the admin); the assertions read the English msgids."""
    with translation.override("en"):
        yield


class FortlevFeed:
    """A copy of the Fortlev sample feed (a subset of it) served by its own feed server, which a
    test edits to play the next day's feed."""

    def __init__(self, root, skus):
        self.path = root / "fortlev" / "products.jsonl"
        self.path.parent.mkdir(parents=True)
        lines = (FEEDS_DIR / "fortlev" / "products.jsonl").read_text(encoding="utf-8").splitlines()
        kept, seen = [], set()
        for line in lines:
            sku = json.loads(line)["sku"]
            if sku in skus and sku not in seen:
                kept.append(line)
                seen.add(sku)
        self.path.write_text("\n".join(kept) + "\n", encoding="utf-8")
        self.server, self.base_url = start_feed_server(root=root)

    def edit(self, change) -> None:
        """Apply ``change`` to the parsed rows; rows it leaves alone keep their exact text."""
        lines = [line for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
        originals = {json.loads(line)["sku"]: (json.loads(line), line) for line in lines}
        rows = change([json.loads(line) for line in lines])
        out = []
        for row in rows:
            before, text = originals.get(row["sku"], (None, None))
            out.append(text if row == before else json.dumps(row, ensure_ascii=False))
        self.write("\n".join(out) + "\n")

    def write(self, text: str) -> None:
        self.path.write_text(text, encoding="utf-8")
        stat = self.path.stat()
        os.utime(self.path, (stat.st_atime, stat.st_mtime + 2))  # a new ETag for the server's cache


@pytest.fixture
def feed(tmp_path):
    feed = FortlevFeed(tmp_path, set(GOOD) | set(BAD))
    yield feed
    feed.server.stop()


@pytest.fixture
def fortlev(feed, settings) -> Distributor:
    settings.CATALOG_INDEX_AFTER_IMPORT = False
    installed = {d.slug: d for d in distributors_install(feed.base_url)}
    Distributor.objects.update(politeness_delay_ms=0)
    installed["fortlev"].refresh_from_db()
    return installed["fortlev"]


def run(distributor) -> ImportRun:
    return import_run_execute(distributor=distributor, trigger="admin")


def snapshot():
    return (
        list(Product.objects.order_by("id").values()),
        list(
            Offer.objects.order_by("id").values(
                "id", "price", "stock", "is_active", "product_id", "raw_listing_id"
            )
        ),
        PriceHistory.objects.count(),
    )


def test_a_run_stores_every_listing_and_counts_add_up(fortlev):
    # when
    result = run(fortlev)

    # then
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    listings = RawListing.objects.filter(import_run=result)
    assert result.fetched == listings.count() == len(GOOD) + len(BAD)
    assert (
        result.fetched == result.created + result.updated + result.unchanged + result.rejected + result.review
    )
    assert (result.created, result.rejected) == (len(GOOD), len(BAD))
    assert result.pages >= 1 and result.started_at and result.finished_at
    raw = listings.get(external_id="FTL-MOD-00001")
    assert json.loads(raw.raw)["sku"] == "FTL-MOD-00001"  # as received
    assert raw.normalized["model_key"] == "JAM72S30530" and raw.product_id and raw.offer_id
    # one offer per warehouse, a first price-history row each, summaries on the product
    offers = Offer.objects.filter(distributor=fortlev)
    assert offers.values("sku").distinct().count() == len(GOOD)
    assert PriceHistory.objects.count() == offers.count()
    product = Product.objects.get(pk=raw.product_id)
    prices = sorted(offers.filter(product=product).values_list("price", flat=True))
    assert (product.min_price, product.max_price, product.offer_count) == (prices[0], prices[-1], len(prices))
    assert product.price_per_wp == (prices[0] / Decimal(530)).quantize(Decimal("0.0001"))
    assert product.quality_score > 50
    fortlev.refresh_from_db()
    assert fortlev.last_synced_at == result.finished_at


def test_malformed_and_absurd_listings_are_rejected_with_reasons(fortlev):
    result = run(fortlev)
    for sku, needle in BAD.items():
        listing = RawListing.objects.get(import_run=result, external_id=sku)
        assert listing.status == ListingStatus.REJECTED
        assert any(needle in reason for reason in listing.reasons), (sku, listing.reasons)
        assert listing.raw  # kept as received
    assert not Offer.objects.filter(sku__in=BAD).exists()


def test_a_rerun_of_the_same_feed_changes_nothing(fortlev):
    # given
    run(fortlev)
    before = snapshot()

    # when
    again = run(fortlev)

    # then
    assert again.status == ImportRunStatus.SUCCEEDED
    assert (again.unchanged, again.created, again.updated, again.deactivated) == (len(GOOD), 0, 0, 0)
    assert again.rejected == len(BAD)  # still bad, still kept as received
    assert snapshot() == before


def test_a_price_change_records_history_and_moves_the_best_price(fortlev, feed):
    # given
    run(fortlev)
    sku = "FTL-MOD-00004"
    product = Offer.objects.filter(sku=sku).first().product
    history_before = PriceHistory.objects.count()

    def cheaper(rows):
        for row in rows:
            if row["sku"] == sku:
                row["price"] = 299.9
                for stock in row["stock"]:
                    stock.pop("price", None)
        return rows

    feed.edit(cheaper)

    # when
    result = run(fortlev)

    # then
    assert (result.updated, result.unchanged) == (1, len(GOOD) - 1)
    offers = Offer.objects.filter(sku=sku)
    assert set(offers.values_list("price", flat=True)) == {Decimal("299.90")}
    assert PriceHistory.objects.count() == history_before + offers.count()
    assert PriceHistory.objects.filter(offer__sku=sku, price=Decimal("299.90")).count() == offers.count()
    product.refresh_from_db()
    assert product.min_price == Decimal("299.90")


def test_an_absurd_new_price_never_overwrites_the_good_one(fortlev, feed):
    # given
    run(fortlev)
    sku = "FTL-MOD-00004"
    good = dict(Offer.objects.filter(sku=sku).values_list("id", "price"))

    def typo(rows):
        for row in rows:
            if row["sku"] == sku:
                row["price"] = 3.619  # R$ 3,62 for a 550 W module
                for stock in row["stock"]:
                    stock.pop("price", None)
        return rows

    feed.edit(typo)

    # when
    result = run(fortlev)

    # then the listing is rejected with its reason, the offer keeps its price and stays listed
    listing = RawListing.objects.get(import_run=result, external_id=sku)
    assert listing.status == ListingStatus.REJECTED
    assert any("per wp" in reason for reason in listing.reasons), listing.reasons
    assert dict(Offer.objects.filter(sku=sku).values_list("id", "price")) == good
    assert all(Offer.objects.filter(sku=sku).values_list("is_active", flat=True))
    assert result.deactivated == 0


def test_a_listing_that_disappeared_deactivates_its_offers(fortlev, feed):
    # given
    run(fortlev)
    sku = "FTL-MOD-00012"
    product = Offer.objects.filter(sku=sku).first().product
    feed.edit(lambda rows: [r for r in rows if r["sku"] != sku])

    # when
    result = run(fortlev)

    # then
    offers = Offer.objects.filter(sku=sku)
    assert result.status == ImportRunStatus.SUCCEEDED
    assert result.deactivated == offers.count() > 0
    assert not offers.filter(is_active=True).exists()
    product.refresh_from_db()
    assert (product.offer_count, product.min_price, product.in_stock) == (0, None, False)


def test_a_listing_that_comes_back_is_reactivated(fortlev, feed):
    # given a run, then a run without one listing
    run(fortlev)
    sku = "FTL-MOD-00012"
    original = feed.path.read_text(encoding="utf-8")
    feed.edit(lambda rows: [r for r in rows if r["sku"] != sku])
    run(fortlev)

    # when the listing is back as before
    feed.write(original)
    result = run(fortlev)

    # then
    assert RawListing.objects.get(import_run=result, external_id=sku).status == ListingStatus.UPDATED
    assert all(Offer.objects.filter(sku=sku).values_list("is_active", flat=True))
    assert Offer.objects.filter(sku=sku).first().product.offer_count > 0


def test_one_feed_down_fails_its_run_only(demo_distributors, feed_server, settings):
    # given Fortlev's API answering 503 to everything
    settings.CATALOG_INDEX_AFTER_IMPORT = False
    feed_server.fault_add("/fortlev/", status=503, retry_after="0")

    # when both distributors sync
    fortlev = run(demo_distributors["fortlev"])
    odex = run(demo_distributors["odex"])

    # then Fortlev's run failed with the reason and nothing of it was deactivated; Odex is fine
    assert fortlev.status == ImportRunStatus.FAILED
    assert fortlev.fetched == 0 and any("503" in e for e in fortlev.errors)
    assert odex.status == ImportRunStatus.SUCCEEDED
    assert odex.created > 400


def test_a_feed_failing_midway_keeps_what_was_read_and_deactivates_nothing(fortlev, feed):
    # given a complete first run
    run(fortlev)
    active = Offer.objects.filter(is_active=True).count()

    # when the API fails on its second page (pages of 10 listings)
    fortlev.feed_options = {**fortlev.feed_options, "per_page": 10}
    fortlev.save()
    feed.server.fault_add("/fortlev/api/v1/products?page=2", status=503, retry_after="0")
    result = run(fortlev)

    # then
    assert result.status == ImportRunStatus.PARTIAL
    assert 0 < result.fetched < len(GOOD) + len(BAD)
    assert result.deactivated == 0
    assert Offer.objects.filter(is_active=True).count() == active


def test_a_concurrent_run_of_the_same_distributor_is_skipped(fortlev):
    # given a run in progress (another worker)
    running = ImportRun.objects.create(
        distributor=fortlev, trigger="schedule", status=ImportRunStatus.RUNNING, started_at=timezone.now()
    )

    # when another starts
    second = run(fortlev)

    # then it is recorded as skipped and touched nothing
    assert second.status == ImportRunStatus.SKIPPED
    assert any(f"#{running.pk}" in e for e in second.errors)
    assert not RawListing.objects.exists() and not Product.objects.exists()
    # and the database itself refuses two running runs
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportRun.objects.create(distributor=fortlev, trigger="admin", status=ImportRunStatus.RUNNING)


def test_a_run_left_running_by_a_dead_worker_is_reclaimed(fortlev):
    ghost = ImportRun.objects.create(
        distributor=fortlev,
        trigger="schedule",
        status=ImportRunStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
    )
    result = run(fortlev)
    ghost.refresh_from_db()
    assert ghost.status == ImportRunStatus.FAILED and "abandoned" in ghost.errors[0]
    assert result.status == ImportRunStatus.SUCCEEDED


def test_an_unreachable_llm_never_fails_the_run(fortlev, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OPENAI_API_KEY = "sk-test-local"
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.LLM_MAX_RETRIES = 0
    result = run(fortlev)
    assert result.status == ImportRunStatus.SUCCEEDED
    assert result.created == len(GOOD)
    assert any(e.startswith("LLM extraction failed") for e in result.errors)


@pytest.mark.parametrize("size", [6, 30])
def test_queries_per_batch_do_not_grow_with_the_listings(tmp_path, settings, size):
    # given feeds of 6 and 30 listings (one batch each)
    settings.CATALOG_INDEX_AFTER_IMPORT = False
    feed = FortlevFeed(tmp_path, set(GOOD[:size]))
    try:
        distributor = {d.slug: d for d in distributors_install(feed.base_url)}["fortlev"]
        Distributor.objects.update(politeness_delay_ms=0)
        distributor.refresh_from_db()
        from django.db import connection

        from catalog.services import reference_data_install

        reference_data_install()  # first-install cost of the reference data is not per batch

        # when
        with CaptureQueriesContext(connection) as first:
            created = run(distributor)
        with CaptureQueriesContext(connection) as second:
            unchanged = run(distributor)
    finally:
        feed.server.stop()

    # then the same bound holds for both sizes: creating and re-checking cost per batch, not per listing
    assert created.created == size and unchanged.unchanged == size
    assert len(first) <= 75, "\n".join(q["sql"][:120] for q in first.captured_queries)
    assert len(second) <= 40, "\n".join(q["sql"][:120] for q in second.captured_queries)


def test_full_sync_of_the_four_sample_feeds(demo_distributors, settings):
    """The whole demo: four distributors in four formats over HTTP, then the same again."""
    settings.CATALOG_INDEX_AFTER_IMPORT = False
    manifest = json.loads((FEEDS_DIR / "manifest.json").read_text())["feeds"]

    first = {slug: run(distributor) for slug, distributor in demo_distributors.items()}
    for slug, result in first.items():
        expected = manifest[slug]
        assert result.status == ImportRunStatus.SUCCEEDED, (slug, result.errors)
        # every record, plus the repeated SKU the adapter set aside, is stored as received
        assert (
            result.fetched
            == expected["records"] + expected["duplicate"]
            == RawListing.objects.filter(import_run=result).count()
        )
        assert result.rejected == expected["reject"] + expected["parse_error"] + expected["duplicate"]
        assert result.created + result.review == expected["ok"]
    listings = sum(r.created for r in first.values())
    products = Product.objects.count()
    shared = Product.objects.annotate(n=Count("offers__distributor", distinct=True))
    assert products < 0.6 * listings  # the same products from several distributors became one
    assert shared.filter(n=4).count() > 50

    again = {slug: run(distributor) for slug, distributor in demo_distributors.items()}
    assert all(r.status == ImportRunStatus.SUCCEEDED for r in again.values())
    assert sum(r.updated for r in again.values()) == 0
    assert sum(r.unchanged for r in again.values()) == listings
    # a listing that waited for review may now match a product another distributor brought in
    assert sum(r.created + r.review for r in again.values()) == sum(r.review for r in first.values())
    assert Product.objects.count() == products
    assert ImportRun.objects.aggregate(d=Sum("deactivated"))["d"] == 0


def test_changed_products_are_handed_to_the_search_index(
    fortlev, settings, django_capture_on_commit_callbacks
):
    # given indexing after imports on (the task runs eagerly in tests)
    settings.CATALOG_INDEX_AFTER_IMPORT = True

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = run(fortlev)

    # then every product the run created was indexed once the data was committed
    assert result.status == ImportRunStatus.SUCCEEDED
    assert len(callbacks) == 1
    products = Product.objects.all()
    assert products.count() > 0
    assert not products.filter(search_text="").exists()
    assert not products.filter(indexed_hash="").exists()

    # and an unchanged re-run hands nothing over
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run(fortlev)
    assert callbacks == []


def test_scrape_tasks_fan_out_to_active_distributors_and_are_safe_twice(fortlev):
    from catalog.tasks import scrape_all_distributors, scrape_distributor

    # given only Fortlev active
    Distributor.objects.exclude(pk=fortlev.pk).update(is_active=False)

    # when the nightly fan-out runs (eagerly)
    ids = scrape_all_distributors()

    # then one run for the active distributor only
    assert ids == [fortlev.pk]
    first = ImportRun.objects.get()
    assert (first.distributor_id, first.trigger, first.status) == (
        fortlev.pk,
        "schedule",
        ImportRunStatus.SUCCEEDED,
    )

    # and a redelivered "run now" task for a finished run does nothing
    outcome = scrape_distributor(fortlev.pk, "admin", import_run_id=first.pk)
    assert outcome == {"status": ImportRunStatus.SUCCEEDED, "import_run": first.pk}
    assert ImportRun.objects.count() == 1
    assert scrape_distributor(999_999, "admin") == {"status": "gone"}


def test_catalog_import_command(fortlev):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("catalog_import", "fortlev", stdout=out)
    assert "fortlev: #" in out.getvalue() and "succeeded" in out.getvalue()
    assert f"new {len(GOOD)}" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("catalog_import", "nao-existe", stdout=StringIO())

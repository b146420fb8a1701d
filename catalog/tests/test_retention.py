"""Retention of raw listings: what ``raw_listings_prune`` deletes and what it must keep (the latest
listing of each distributor SKU, the row each offer's change detection compares against, every row
a dedup review points at, everything recent), in batches, idempotently, on the nightly schedule."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from catalog.fixtures.distributors import distributors_install
from catalog.models import DedupCandidate, Distributor, ImportRun, Offer, RawListing
from catalog.models.imports import DedupDecision, ImportRunStatus, ListingStatus
from catalog.services import import_run_execute, raw_listings_prune
from catalog.tasks import raw_listings_prune as raw_listings_prune_task
from catalog.tests.factories import (
    DedupCandidateFactory,
    DistributorFactory,
    ImportRunFactory,
    OfferFactory,
    RawListingFactory,
)
from catalog.tests.test_import_run import BAD, GOOD, FortlevFeed, snapshot
from ysh.beat import SCHEDULE
from ysh.celery import app
from ysh.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ninety_days(settings):
    settings.CATALOG_RAW_LISTING_RETENTION_DAYS = 90


@pytest.fixture
def now():
    return timezone.now()


class History:
    """Import runs of one distributor at given ages (days before ``now``) and raw listings in
    them, each created that many days ago."""

    def __init__(self, now, distributor=None):
        self.now = now
        self.distributor = distributor or DistributorFactory()
        self.runs: dict[int, ImportRun] = {}

    def run(self, days: int) -> ImportRun:
        if days not in self.runs:
            at = self.now - timedelta(days=days)
            self.runs[days] = ImportRunFactory(distributor=self.distributor, started_at=at, finished_at=at)
        return self.runs[days]

    def listing(self, external_id: str, *, days: int, **fields) -> RawListing:
        row = RawListingFactory(import_run=self.run(days), external_id=external_id, **fields)
        RawListing.objects.filter(pk=row.pk).update(created_at=self.now - timedelta(days=days))
        return row


def ids(*rows) -> set[int]:
    return {row.pk for row in rows}


def surviving() -> set[int]:
    return set(RawListing.objects.values_list("pk", flat=True))


def test_prune_keeps_the_latest_the_offer_referenced_the_reviewed_and_the_recent(now):
    # given one distributor's history, oldest first
    history = History(now)
    other = History(now)
    staff = UserFactory(is_staff=True)
    a120 = history.listing("A", days=120)
    b120 = history.listing("B", days=120)  # the offer was last written from this row
    c120 = history.listing("C", days=120, status=ListingStatus.REVIEW)  # staff decided on this one
    z120 = other.listing("Z", days=120)
    a100 = history.listing("A", days=100)  # A's latest, however old
    b100 = history.listing("B", days=100, status=ListingStatus.UNCHANGED)
    c100 = history.listing("C", days=100, status=ListingStatus.REVIEW)  # still waiting for review
    d100 = history.listing("D", days=100)
    f100_first = history.listing("F", days=100)
    f100_repeat = history.listing("F", days=100, status=ListingStatus.REJECTED)  # listed twice in a run
    c91 = history.listing("C", days=91, status=ListingStatus.REJECTED)
    e91 = history.listing("E", days=91)
    d89 = history.listing("D", days=89)  # inside the retention window
    e89 = history.listing("E", days=89)
    b10 = history.listing("B", days=10, status=ListingStatus.UNCHANGED)
    d10 = history.listing("D", days=10)
    a5_elsewhere = other.listing("A", days=5)  # another distributor's "A" supersedes nothing of ours
    z5 = other.listing("Z", days=5)
    offer = OfferFactory(distributor=history.distributor, sku="B", raw_listing=b120)
    RawListing.objects.filter(pk__in=ids(b100, b10)).update(offer=offer)
    decided = DedupCandidateFactory(
        listing=c120,
        decision=DedupDecision.SEPARATE,
        decided_by=staff,
        decided_at=now - timedelta(days=119),
    )
    pending = DedupCandidateFactory(listing=c100)
    runs_before = ImportRun.objects.count()
    everything = surviving()

    # when
    deleted = raw_listings_prune(now=now)

    # then exactly the old rows that nothing needs are gone
    gone = ids(a120, b100, d100, e91, z120, f100_first)
    assert deleted == len(gone)
    assert surviving() == everything - gone
    assert ids(a100, b120, c120, c100, c91, d89, e89, b10, d10, a5_elsewhere, z5, f100_repeat) <= surviving()
    # and nothing that pointed at a raw listing lost its link or was cascaded away
    offer.refresh_from_db()
    assert offer.raw_listing_id == b120.pk
    assert set(DedupCandidate.objects.values_list("pk", "listing_id", "decision", "decided_by_id")) == {
        (decided.pk, c120.pk, DedupDecision.SEPARATE, staff.pk),
        (pending.pk, c100.pk, DedupDecision.PENDING, None),
    }
    assert ImportRun.objects.count() == runs_before


def test_the_cutoff_follows_the_setting_and_now(now, settings):
    # given a listing seen 40, 35 and 20 days ago
    settings.CATALOG_RAW_LISTING_RETENTION_DAYS = 30
    history = History(now)
    d40 = history.listing("S", days=40)
    d35 = history.listing("S", days=35)
    d20 = history.listing("S", days=20)

    # when pruned as of 10 days ago (cutoff 40 days back), then as of today (cutoff 30 days back)
    earlier = raw_listings_prune(now=now - timedelta(days=10))
    survivors_earlier = surviving()
    today = raw_listings_prune(now=now)

    # then
    assert (earlier, survivors_earlier) == (0, ids(d40, d35, d20))
    assert (today, surviving()) == (2, ids(d20))


def test_batches_delete_the_same_rows_and_a_second_prune_finds_nothing(now):
    # given 7 superseded old rows of one SKU and 3 of another, plus their latest rows
    history = History(now)
    superseded = [history.listing("G", days=200 - n) for n in range(7)]
    superseded += [history.listing("H", days=150 - n) for n in range(3)]
    latest_g = history.listing("G", days=100)
    latest_h = history.listing("H", days=3)

    # when pruned two ids at a time, then again
    first = raw_listings_prune(now=now, batch_size=2)
    kept = surviving()
    second = raw_listings_prune(now=now, batch_size=2)

    # then
    assert first == len(superseded) == 10
    assert kept == ids(latest_g, latest_h)
    assert second == 0
    assert surviving() == kept


def test_max_batches_stops_early_and_the_next_call_resumes(now):
    # given 5 superseded old rows
    history = History(now)
    old = [history.listing("K", days=300 - n) for n in range(5)]
    latest = history.listing("K", days=1)

    # when at most one batch of two per call
    calls = [raw_listings_prune(now=now, batch_size=2, max_batches=1) for _ in range(4)]

    # then the oldest go first, two at a time
    assert calls == [2, 2, 1, 0]
    assert surviving() == ids(latest)
    assert not RawListing.objects.filter(pk__in=ids(*old)).exists()


def test_queries_do_not_grow_with_the_rows_of_a_batch(now):
    # given two histories: 10 and 40 superseded old rows
    def count_queries(rows: int) -> int:
        history = History(now)
        for n in range(rows):
            history.listing(f"Q{n % 2}", days=200 - n)
        history.listing("Q0", days=1)
        history.listing("Q1", days=1)
        with CaptureQueriesContext(connection) as queries:
            assert raw_listings_prune(now=now, batch_size=1000) == rows
        return len(queries)

    # then
    assert count_queries(10) == count_queries(40)


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(ValueError):
        raw_listings_prune(batch_size=0)


# --- the real importer before and after a prune ------------------------------------------------
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


def _import(distributor) -> ImportRun:
    with translation.override("en"):
        result = import_run_execute(distributor=distributor, trigger="admin")
    assert result.status == ImportRunStatus.SUCCEEDED, result.errors
    return result


def _age(run: ImportRun, days: int, now) -> None:
    RawListing.objects.filter(import_run=run).update(created_at=now - timedelta(days=days))


def test_a_reimport_after_pruning_still_finds_every_listing_unchanged(fortlev, feed, now):
    # given three imports of the same feed, months ago
    first, second, third = _import(fortlev), _import(fortlev), _import(fortlev)
    for run, days in ((first, 120), (second, 100), (third, 95)):
        _age(run, days, now)
    referenced = set(Offer.objects.values_list("raw_listing_id", flat=True))
    first_rows = set(RawListing.objects.filter(import_run=first).values_list("pk", flat=True))
    third_rows = set(RawListing.objects.filter(import_run=third).values_list("pk", flat=True))
    # unchanged listings never move an offer's pointer: the offers still point at the first
    # import's rows, which newer rows supersede (keeping only the latest would lose them)
    assert referenced <= first_rows and len(referenced) == len(GOOD)
    before = snapshot()
    total = RawListing.objects.count()

    # when
    deleted = raw_listings_prune(now=now)
    again = _import(fortlev)

    # then the first import kept only what offers point at, the second is gone, the third stays
    assert deleted == total - len(referenced) - len(third_rows)
    assert surviving() - set(RawListing.objects.filter(import_run=again).values_list("pk", flat=True)) == (
        referenced | third_rows
    )
    assert (again.unchanged, again.created, again.updated, again.rejected) == (len(GOOD), 0, 0, len(BAD))
    assert snapshot() == before
    # and the third import's rows, superseded by the new import now, go next (and only once)
    assert raw_listings_prune(now=now) == len(third_rows)
    assert raw_listings_prune(now=now) == 0


def test_a_price_change_after_pruning_is_still_detected(fortlev, feed, now):
    # given two old imports, pruned
    _age(_import(fortlev), 120, now)
    _age(_import(fortlev), 100, now)
    raw_listings_prune(now=now)
    sku = "FTL-MOD-00007"

    def cheaper(rows):
        for row in rows:
            if row["sku"] == sku:
                row["price"] = 311.5
                for stock in row["stock"]:
                    stock.pop("price", None)
        return rows

    feed.edit(cheaper)

    # when
    result = _import(fortlev)

    # then
    assert (result.updated, result.unchanged, result.created) == (1, len(GOOD) - 1, 0)
    assert set(Offer.objects.filter(sku=sku).values_list("price", flat=True)) == {Decimal("311.50")}


# --- the task and the schedule --------------------------------------------------------------------
def test_the_task_works_through_a_backlog_in_several_tasks(now):
    # given 5 superseded rows older than 90 days
    history = History(now)
    for n in range(5):
        history.listing("T", days=200 - n)
    latest = history.listing("T", days=2)

    # when the task may delete one batch of two, then enqueues the rest (eager in tests)
    result = raw_listings_prune_task.delay(max_batches=1, batch_size=2).get()

    # then
    assert result == {"deleted": 2, "continued": True}
    assert surviving() == ids(latest)
    assert raw_listings_prune_task.delay().get() == {"deleted": 0, "continued": False}


def test_the_task_is_routed_to_the_default_queue():
    # when celery routes the task by its name
    route = app.amqp.router.route({}, raw_listings_prune_task.name)

    # then
    assert raw_listings_prune_task.name == "catalog.tasks.raw_listings_prune"
    assert route["queue"].name == "default"


def test_the_nightly_prune_is_scheduled_after_the_sync_and_the_associations_refresh():
    # given
    entry = SCHEDULE["catalog.raw_listings_prune"]
    app.loader.import_default_modules()

    # then
    assert entry.task == "catalog.tasks.raw_listings_prune" and entry.task in app.tasks
    assert entry.queue == "default"

    def at(key: str) -> tuple[int, int]:
        return int(SCHEDULE[key].hour), int(SCHEDULE[key].minute)

    assert (entry.day_of_week, entry.day_of_month, entry.month_of_year) == ("*", "*", "*")
    sync, associations = at("catalog.distributors_sync"), at("catalog.associations_refresh")
    assert at("catalog.raw_listings_prune") > associations > sync

"""Write-side services of the catalog app (keyword-only `<entity>_<verb>` functions).

The import pipeline itself lives in ``catalog.pipeline``; these are the entry points the admin,
tasks, the management command and other apps call.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import (
    Brand,
    BrandAlias,
    Category,
    DedupCandidate,
    Distributor,
    ImportRun,
    Offer,
    Product,
    RawListing,
)
from catalog.models.imports import DedupDecision, ImportRunStatus
from catalog.reference import BRANDS, CATEGORIES, alias_normalize
from ysh.errors import InvalidState

logger = logging.getLogger(__name__)


def reference_data_install() -> dict[str, int]:
    """Categories, brands and brand aliases of ``catalog.reference``, created when missing.
    Idempotent and cheap (three reads when everything is there); rows staff edited are left as
    they are, aliases staff added are kept."""
    from django.utils.text import slugify

    created = {"categories": 0, "brands": 0, "aliases": 0}
    categories = dict(Category.objects.values_list("slug", "id"))
    missing = [c for c in CATEGORIES if c.slug not in categories]
    if missing:
        with transaction.atomic():
            for ref in sorted(missing, key=lambda c: c.parent is not None):
                category, was_created = Category.objects.get_or_create(
                    slug=ref.slug,
                    defaults={
                        "name": ref.name,
                        "kind": ref.kind,
                        "position": ref.position,
                        "parent_id": categories.get(ref.parent) if ref.parent else None,
                    },
                )
                categories[ref.slug] = category.pk
                created["categories"] += int(was_created)
    brands = dict(Brand.objects.values_list("name", "id"))
    missing_brands = [ref for ref in BRANDS if ref.name not in brands]
    if missing_brands:
        Brand.objects.bulk_create(
            [
                Brand(
                    name=ref.name,
                    slug=slugify(ref.name) or alias_normalize(ref.name),
                    country=ref.country,
                    website=ref.website,
                )
                for ref in missing_brands
            ],
            ignore_conflicts=True,
        )
        brands = dict(Brand.objects.values_list("name", "id"))
        created["brands"] = len(missing_brands)
    aliases = set(BrandAlias.objects.values_list("alias", flat=True))
    wanted = {}
    for ref in BRANDS:
        if ref.name not in brands:
            continue
        for spelling in (ref.name, *ref.aliases):
            alias = alias_normalize(spelling)
            if alias and alias not in aliases:
                wanted.setdefault(alias, brands[ref.name])
    if wanted:
        BrandAlias.objects.bulk_create(
            [BrandAlias(alias=alias, brand_id=brand_id) for alias, brand_id in wanted.items()],
            ignore_conflicts=True,
        )
        created["aliases"] = len(wanted)
    return created


def brand_alias_create(*, brand: Brand, alias: str) -> BrandAlias:
    """Teach the pipeline another spelling of ``brand`` (stored normalized)."""
    normalized = alias_normalize(alias)
    if not normalized:
        raise InvalidState(_("An alias needs letters or digits."))
    existing = BrandAlias.objects.filter(alias=normalized).select_related("brand").first()
    if existing and existing.brand_id != brand.pk:
        raise InvalidState(
            _("“%(alias)s” already means %(brand)s.") % {"alias": alias, "brand": existing.brand}
        )
    return existing or BrandAlias.objects.create(brand=brand, alias=normalized)


def import_run_execute(
    *, distributor: Distributor, trigger: str, user=None, import_run: ImportRun | None = None
) -> ImportRun:
    """Run one distributor's import now, in this process. Never raises for feed or data
    problems: the returned ImportRun says what happened (succeeded, partial, failed, skipped)."""
    from catalog.pipeline.run import import_run_execute as execute

    return execute(distributor=distributor, trigger=trigger, user=user, import_run=import_run)


def import_run_enqueue(*, distributor: Distributor, trigger: str, user=None) -> ImportRun:
    """Queue an import of ``distributor`` on the scraping queue; the run is visible at once as
    ``queued``. The task starts after this transaction commits."""
    run = ImportRun.objects.create(
        distributor=distributor, trigger=trigger, triggered_by=user, status=ImportRunStatus.QUEUED
    )

    def enqueue() -> None:
        from catalog.tasks import scrape_distributor

        scrape_distributor.delay(distributor.pk, trigger, import_run_id=run.pk)

    transaction.on_commit(enqueue)
    return run


def _candidate_lock(candidate: DedupCandidate) -> DedupCandidate:
    locked = (
        DedupCandidate.objects.select_for_update()
        .select_related("listing", "listing__distributor", "listing__import_run", "candidate")
        .filter(pk=candidate.pk)
        .first()
    )
    if locked is None or locked.decision != DedupDecision.PENDING:
        raise InvalidState(_("This match was already decided."))
    return locked


def _candidate_decide(candidate: DedupCandidate, *, decision: str, user) -> None:
    candidate.decision = decision
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["decision", "decided_by", "decided_at"])


@transaction.atomic
def dedup_candidate_merge(*, candidate: DedupCandidate, user=None) -> DedupCandidate:
    """Staff confirm the listing is the candidate product: its offers go to that product and the
    listing's other pending candidates leave the queue. Re-runs keep the decision (the offer
    settles which product the distributor's SKU is)."""
    from catalog.pipeline.settle import listing_settle

    candidate = _candidate_lock(candidate)
    try:
        product_id = listing_settle(raw_listing=candidate.listing, product_id=candidate.candidate_id)
    except ValueError as exc:
        raise InvalidState(str(exc)) from exc
    _candidate_decide(candidate, decision=DedupDecision.MERGED, user=user)
    DedupCandidate.objects.filter(
        listing__distributor_id=candidate.listing.distributor_id,
        listing__external_id=candidate.listing.external_id,
        decision=DedupDecision.PENDING,
    ).delete()
    _reindex_on_commit([product_id])
    return candidate


@transaction.atomic
def dedup_candidate_separate(*, candidate: DedupCandidate, user=None) -> DedupCandidate:
    """Staff say the listing is NOT the candidate product. Once no candidate of the listing is
    pending, the listing becomes a product of its own with its offers."""
    from catalog.pipeline.settle import listing_settle

    candidate = _candidate_lock(candidate)
    _candidate_decide(candidate, decision=DedupDecision.SEPARATE, user=user)
    still_pending = DedupCandidate.objects.filter(
        listing__distributor_id=candidate.listing.distributor_id,
        listing__external_id=candidate.listing.external_id,
        decision=DedupDecision.PENDING,
    ).exists()
    if not still_pending:
        try:
            product_id = listing_settle(raw_listing=candidate.listing, product_id=None)
        except ValueError as exc:
            raise InvalidState(str(exc)) from exc
        _reindex_on_commit([product_id])
    return candidate


def product_refresh_offer_summary(*, product: Product) -> Product:
    """Recompute the denormalized offer summary and quality score of one product (after an
    offer was edited by hand) and queue its re-indexing."""
    from catalog.pipeline.products import PRODUCT_UPDATE_FIELDS, products_summarize, rows_update

    with transaction.atomic():
        changed = products_summarize({product.pk: product}, today=timezone.localdate())
        if changed:
            rows_update(Product, changed, PRODUCT_UPDATE_FIELDS)
            _reindex_on_commit([product.pk])
    return product


def _reindex_on_commit(product_ids: list[int]) -> None:
    from catalog.pipeline.run import products_index_after_commit

    products_index_after_commit(product_ids)


def _raw_listings_prunable(*, cutoff: datetime) -> QuerySet[RawListing]:
    """Raw listings created before ``cutoff`` that nothing needs any more. Kept whatever their age:

    * the latest listing of each (distributor, external id): the last thing the feed said about it;
    * the listing an Offer points at (``Offer.raw_listing``): change detection
      (``catalog.pipeline.prepare``) compares the feed's content hash with *that* row's, and an
      unchanged listing never moves the pointer, so it is often far older than the latest row.
      Without it every unchanged listing would be re-processed as an update (and ``SET_NULL``
      would silently drop the offer's provenance);
    * every listing a DedupCandidate points at, pending or decided: pending ones are the review
      queue and are settled from that row, and the FK cascades, so deleting the listing would
      delete a decision staff made.

    Nothing else points at a RawListing (``Product`` has no link to one), and ImportRuns are
    never deleted (they are the audit log; ``PriceHistory.import_run`` keeps pointing at them)."""
    newer = RawListing.objects.filter(
        distributor_id=OuterRef("distributor_id"), external_id=OuterRef("external_id"), pk__gt=OuterRef("pk")
    )
    return RawListing.objects.filter(
        Exists(newer),
        ~Exists(Offer.objects.filter(raw_listing_id=OuterRef("pk"))),
        ~Exists(DedupCandidate.objects.filter(listing_id=OuterRef("pk"))),
        created_at__lt=cutoff,
    )


def raw_listings_prune(
    *, now: datetime | None = None, batch_size: int = 5000, max_batches: int | None = None
) -> int:
    """Delete the raw listings older than ``CATALOG_RAW_LISTING_RETENTION_DAYS`` that nothing needs
    (see ``_raw_listings_prunable``) and return how many were deleted. Idempotent.

    Walks the primary key once, ``batch_size`` ids at a time, each batch deleted in its own short
    transaction (the rule is checked again at delete time); ``max_batches`` caps one call, for a
    task that re-enqueues itself through a large backlog."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cutoff = (now or timezone.now()) - timedelta(days=settings.CATALOG_RAW_LISTING_RETENTION_DAYS)
    # Keyset walk over the primary key: every row is looked at once, and only the last query of a
    # call reads the recent rows (created_at has no index) to learn that no old one is left.
    prunable = _raw_listings_prunable(cutoff=cutoff)
    deleted = batches = last_id = 0
    while max_batches is None or batches < max_batches:
        ids = list(prunable.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        batches += 1
        last_id = ids[-1]
        with transaction.atomic():
            _, per_model = prunable.filter(pk__in=ids).only("pk").delete()
        deleted += per_model.get(RawListing._meta.label, 0)
        if len(ids) < batch_size:
            break
    if deleted:
        logger.info("pruned %s raw listings created before %s", deleted, cutoff)
    return deleted


def catalog_demo_seed() -> list[str]:
    """Demo data: the four sample distributors imported through the real pipeline, over HTTP.

    The Distributor rows point at ``DEMO_FEEDS_BASE_URL`` (default 127.0.0.1:8765, where
    ``python -m catalog.feedserver`` serves the sample feeds under `make run`). When nothing
    listens there, the sample feeds are served from this process on that address for the
    duration of the seed. Idempotent: a second seed finds every listing unchanged."""
    import socket
    from urllib.parse import urlsplit

    from catalog.feedserver import start_feed_server, stop_feed_server
    from catalog.fixtures.distributors import demo_feeds_base_url, distributors_install
    from catalog.models.imports import ImportTrigger

    reference_data_install()
    base_url = demo_feeds_base_url()
    address = urlsplit(base_url)
    server = None
    try:
        with socket.create_connection((address.hostname, address.port or 80), timeout=0.5):
            pass
    except OSError:
        server, _url = start_feed_server(host=address.hostname or "127.0.0.1", port=address.port or 8765)
    lines = []
    try:
        for distributor in distributors_install(base_url):
            run = import_run_execute(distributor=distributor, trigger=ImportTrigger.DEMO)
            lines.append(
                f"catalog: {distributor.name} — import #{run.pk} {run.status}: {run.fetched} listings, "
                f"{run.created} new, {run.updated} updated, {run.unchanged} unchanged, "
                f"{run.rejected} rejected, {run.review} to review"
            )
    finally:
        if server is not None:
            stop_feed_server(server)
    lines.append(f"catalog: {Product.objects.count()} products from {base_url}")
    from catalog.baskets import product_associations_refresh

    stats = product_associations_refresh()  # "frequently bought together" without waiting for 03:30
    lines.append(f"catalog: {stats.rows} bought-together associations from {stats.baskets} baskets")
    return lines

"""Celery tasks of the catalog app: take ids, import services inside, safe to run twice.

Queues come from the routes in ``ysh.celery``: ``scrape_*`` → scraping, ``enrich_*`` and ``index_*``
→ enrichment, the rest (``raw_listings_prune``) → default.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

#: One prune task deletes at most this many batches, then re-enqueues itself: the first prune of
#: a table holding months of listings stays far below the 15-minute limit.
PRUNE_BATCH_SIZE = 5000
PRUNE_BATCHES_PER_TASK = 100

# An import of 20k listings takes minutes, well above the global 15-minute default on a slow
# worker; a run killed by the hard limit is reclaimed by the next one (STALE_AFTER).
SCRAPE_LIMITS = {"soft_time_limit": 50 * 60, "time_limit": 55 * 60}


@shared_task(**SCRAPE_LIMITS)
def scrape_distributor(
    distributor_id: int, trigger: str = "schedule", import_run_id: int | None = None
) -> dict:
    """Import one distributor. Running it twice is harmless: a run already finished returns,
    a concurrent one is recorded as skipped, unchanged listings are skipped cheaply."""
    from catalog.models import Distributor, ImportRun
    from catalog.models.imports import ImportRunStatus
    from catalog.services import import_run_execute

    distributor = Distributor.objects.filter(pk=distributor_id).first()
    if distributor is None:
        return {"status": "gone"}
    run = None
    if import_run_id is not None:
        run = ImportRun.objects.filter(pk=import_run_id, distributor=distributor).first()
        if run is None or run.status != ImportRunStatus.QUEUED:
            # Redelivered after it ran (or is running): nothing to do.
            return {"status": run.status if run else "gone", "import_run": import_run_id}
    elif not distributor.is_active:
        return {"status": "inactive"}
    run = import_run_execute(distributor=distributor, trigger=trigger, import_run=run)
    logger.info(
        "import #%s %s: %s fetched, %s new, %s updated, %s unchanged, %s rejected, %s review, %s deactivated",
        run.pk,
        run.status,
        run.fetched,
        run.created,
        run.updated,
        run.unchanged,
        run.rejected,
        run.review,
        run.deactivated,
    )
    return {"status": run.status, "import_run": run.pk}


@shared_task
def scrape_all_distributors(trigger: str = "schedule") -> list[int]:
    """Fan out one import task per active distributor, so one slow or failing feed never
    delays or blocks the others."""
    from catalog.models import Distributor

    ids = list(Distributor.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))
    for distributor_id in ids:
        scrape_distributor.delay(distributor_id, trigger)
    return ids


@shared_task(bind=True, max_retries=5)
def index_products(self, product_ids: list[int]) -> dict:
    """Bring the search index up to date for these products (``catalog.search.index``).
    Idempotent: products whose indexed hash is current are skipped. When the vector index is
    unreachable the search text is still updated and the task retries with backoff."""
    try:
        from catalog.search.index import ProductIndexIncomplete, products_index
    except ImportError:  # search not deployed yet: nothing to index into
        logger.warning("catalog.search.index not available: %s products not indexed", len(product_ids))
        return {"status": "unavailable"}
    try:
        counts = products_index(product_ids=product_ids)
    except ProductIndexIncomplete as exc:
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc
    return counts.as_dict() if hasattr(counts, "as_dict") else {"status": "done"}


@shared_task
def enrich_product_associations() -> dict:
    """Recompute "frequently bought together" from every basket source (``catalog.baskets``) and
    replace the associations atomically. Idempotent: a second run writes the same table."""
    from catalog.baskets import product_associations_refresh

    return product_associations_refresh().as_dict()


@shared_task
def raw_listings_prune(max_batches: int = PRUNE_BATCHES_PER_TASK, batch_size: int = PRUNE_BATCH_SIZE) -> dict:
    """Delete raw listings past ``CATALOG_RAW_LISTING_RETENTION_DAYS`` that nothing needs
    (``catalog.services.raw_listings_prune``). Default queue: no route matches the name. When
    its share was used up, the rest of the backlog goes to a fresh task. Running it twice is
    harmless: the second finds nothing to delete."""
    from catalog.services import raw_listings_prune as prune

    deleted = prune(batch_size=batch_size, max_batches=max_batches)
    more = deleted >= max_batches * batch_size
    if more:
        raw_listings_prune.delay(max_batches=max_batches, batch_size=batch_size)
    return {"deleted": deleted, "continued": more}

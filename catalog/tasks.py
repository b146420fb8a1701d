"""Celery tasks of the catalog app: take ids, import services inside, safe to run twice.

Queues come from the routes in ``ysh.celery``: ``scrape_*`` → scraping, ``index_*`` → enrichment.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

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

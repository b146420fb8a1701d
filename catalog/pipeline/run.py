"""One distributor's import run: claim → fetch in batches → prepare → persist → finish.

* **No overlap.** A run becomes ``running`` only if the database accepts it: a conditional
  unique constraint allows one running ImportRun per distributor, so a second concurrent run —
  on any worker, any machine — is recorded as ``skipped``. A run left ``running`` by a dead
  worker (no listing stored for ``STALE_AFTER``) is marked ``failed`` and the distributor
  is free again.
* **Transactions per batch** of ``BATCH_SIZE`` listings, so a crash loses at most one batch and
  a re-run skips everything already stored (same content hash → ``unchanged``).
* **Failure is contained.** A listing that cannot be read is rejected with its reason; a batch
  that cannot be written is retried once from fresh state and otherwise stored as rejected; a feed
  that cannot be fetched fails this run only. Offers not seen are deactivated only after a
  complete fetch.
* **After the run** the products whose content changed are handed to the search index
  (``catalog.tasks.index_products``) once the data is committed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from catalog.models import Brand, BrandAlias, Category, ImportRun, Offer, Product, RawListing, Warehouse
from catalog.models.imports import ImportRunStatus, ListingStatus
from catalog.models.taxonomy import Distributor
from catalog.pipeline import dedup, enrich, persist, products
from catalog.pipeline.normalize import Reference, reference_from_rows
from catalog.pipeline.prepare import RunContext, batch_prepare, content_hash
from catalog.pipeline.types import SourceRecord

logger = logging.getLogger(__name__)

BATCH_SIZE = 250
#: A running run with no listing stored for this long belongs to a dead worker (batches store
#: listings every few seconds; ``CATALOG_IMPORT_STALE_MINUTES`` overrides).
STALE_AFTER = timedelta(minutes=getattr(settings, "CATALOG_IMPORT_STALE_MINUTES", 30))
#: A complete fetch that would take down more than this share of a distributor's active offers is
#: more likely a truncated feed than a clearance sale: nothing is deactivated and the run says so.
MAX_DEACTIVATE_SHARE = 0.5
MAX_ERRORS_KEPT = 50


def import_run_claim(
    *, distributor: Distributor, trigger: str, user=None, import_run: ImportRun | None = None
) -> ImportRun:
    """Return the run in status ``running``, or recorded as ``skipped`` when another run of the
    distributor holds it. ``import_run`` is a queued run created earlier (the admin's "run now")."""
    _stale_runs_reclaim(distributor)
    run = import_run or ImportRun.objects.create(
        distributor=distributor, trigger=trigger, triggered_by=user, status=ImportRunStatus.QUEUED
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = ImportRun.objects.filter(pk=run.pk, status=ImportRunStatus.QUEUED).update(
                status=ImportRunStatus.RUNNING, started_at=now
            )
    except IntegrityError:
        holder = ImportRun.objects.filter(distributor=distributor, status=ImportRunStatus.RUNNING).first()
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRunStatus.SKIPPED,
            started_at=now,
            finished_at=now,
            errors=[f"another import of {distributor} is running (#{holder.pk if holder else '?'})"],
        )
        claimed = 0
    run.refresh_from_db()
    if not claimed and run.status == ImportRunStatus.QUEUED:  # pragma: no cover - defensive
        raise RuntimeError(f"import run #{run.pk} could not be claimed")
    return run


def _stale_runs_reclaim(distributor: Distributor) -> None:
    cutoff = timezone.now() - STALE_AFTER
    running = (
        ImportRun.objects.filter(distributor=distributor, status=ImportRunStatus.RUNNING)
        .annotate(last_listing_at=Max("listings__created_at"))
        .values("id", "started_at", "last_listing_at")
    )
    for run in running:
        last_activity = max(filter(None, [run["started_at"], run["last_listing_at"]]), default=None)
        if last_activity is None or last_activity < cutoff:
            ImportRun.objects.filter(pk=run["id"], status=ImportRunStatus.RUNNING).update(
                status=ImportRunStatus.FAILED,
                finished_at=timezone.now(),
                errors=[f"abandoned: no progress since {last_activity:%Y-%m-%d %H:%M} (worker lost?)"]
                if last_activity
                else ["abandoned (worker lost?)"],
            )
            logger.warning("import run #%s of %s reclaimed as failed", run["id"], distributor)


def import_run_execute(
    *, distributor: Distributor, trigger: str, user=None, import_run: ImportRun | None = None
) -> ImportRun:
    from catalog.distributor_http import DistributorClient, DistributorError
    from catalog.services import reference_data_install

    reference_data_install()
    run = import_run_claim(distributor=distributor, trigger=trigger, user=user, import_run=import_run)
    if run.status != ImportRunStatus.RUNNING:
        return run
    ctx: RunContext | None = None
    ctx_errors: list[str] = []
    fetched = 0
    fetch_complete = False
    pages = 0
    try:
        ctx = run_context_load(run)
        batch: list[SourceRecord] = []
        with DistributorClient(distributor) as client:
            try:
                for record in ctx.adapter.fetch(distributor, client):
                    batch.append(record)
                    if len(batch) >= BATCH_SIZE:
                        fetched += len(batch)
                        _batch_run(ctx, batch)
                        batch = []
                # The adapter knows when listings may be missing (a page it could not read).
                fetch_complete = ctx.adapter.report.complete
            except DistributorError as exc:
                ctx.errors.append(f"feed: {exc}")
                logger.warning("import of %s: feed failed after %s listings: %s", distributor, fetched, exc)
            finally:
                pages = ctx.adapter.report.documents
        if batch:
            fetched += len(batch)
            _batch_run(ctx, batch)
        fetched += _feed_problems_store(ctx)
        ctx.final_pass = True
        deferred, ctx.deferred = ctx.deferred, []
        for start in range(0, len(deferred), BATCH_SIZE):
            _batch_run(ctx, deferred[start : start + BATCH_SIZE])
    except Exception as exc:
        logger.exception("import of %s failed", distributor)
        if ctx is None:
            ctx_errors = [f"unexpected error: {exc!r}"]
        else:
            ctx.errors.append(f"unexpected error: {exc!r}")
            ctx.failures += 1
            fetch_complete = False
    finally:
        errors = ctx.errors if ctx is not None else ctx_errors
        run = _run_finish(
            run, ctx, errors=errors, fetched=fetched, pages=pages, fetch_complete=fetch_complete
        )
    return run


def run_context_load(run: ImportRun) -> RunContext:
    from catalog.pipeline.adapters import adapter_for
    from ysh.llm import llm_is_configured

    distributor = run.distributor
    warehouses = {
        code: (pk, state)
        for pk, code, state in Warehouse.objects.filter(distributor=distributor)
        .order_by("id")
        .values_list("id", "code", "state")
    }
    return RunContext(
        run=run,
        distributor=distributor,
        adapter=adapter_for(distributor),
        reference=reference_load(),
        index=product_index_load(),
        warehouses=warehouses,
        default_warehouse=next(iter(warehouses.values()), None),
        started_at=run.started_at,
        today=timezone.localdate(),
        llm=enrich.LLMEnricher() if llm_is_configured() else None,
    )


def reference_load() -> Reference:
    return reference_from_rows(
        list(Brand.objects.values_list("id", "name")),
        list(BrandAlias.objects.values_list("alias", "brand_id")),
        list(Category.objects.values_list("slug", "id")),
    )


def product_index_load() -> dedup.ProductIndex:
    rows = Product.objects.values_list(
        "id", "brand_id", "kind", "model_key", "model_code", "power_w", "energy_wh", "specs"
    )
    return dedup.ProductIndex(
        [
            dedup.ProductRef(
                pk,
                brand_id,
                kind,
                key,
                code,
                energy if kind == "battery" else power,
                dedup.traits_of(specs or {}),
            )
            for pk, brand_id, kind, key, code, power, energy, specs in rows.iterator(chunk_size=2000)
        ]
    )


def _batch_run(ctx: RunContext, records: list[SourceRecord]) -> None:
    works = batch_prepare(ctx, records)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                persist.batch_persist(ctx, works)
            return
        except IntegrityError as exc:
            # Most likely another distributor's run created the same product or brand between
            # our read and our write: reload what the rolled-back transaction may have cached.
            logger.warning("import batch of %s: %s (attempt %s)", ctx.distributor, exc, attempt)
            error = exc
        except Exception as exc:
            logger.exception("import batch of %s failed", ctx.distributor)
            error = exc
            break
        fresh = run_context_load(ctx.run)
        ctx.reference, ctx.index, ctx.warehouses = fresh.reference, fresh.index, fresh.warehouses
        ctx.default_warehouse = fresh.default_warehouse
        for record in records:
            ctx.seen.discard(record.external_id[:120])
        works = batch_prepare(ctx, records)
    ctx.failures += 1
    ctx.errors.append(f"a batch of {len(records)} listings could not be saved: {error!r}")
    _batch_store_as_rejected(ctx, records, [f"could not be saved: {error!r}"] * len(records))


def _feed_problems_store(ctx: RunContext) -> int:
    """What the adapter could not turn into a listing goes into the run's errors; the ones that
    carry their text (a repeated SKU) are kept as rejected raw listings. Returns how many."""
    problems = list(ctx.adapter.report.problems)
    ctx.errors.extend(f"feed: {p.reason}" + (f" ({p.url})" if p.url else "") for p in problems)
    kept = [p for p in problems if p.external_id and p.raw]
    for start in range(0, len(kept), BATCH_SIZE):
        chunk = kept[start : start + BATCH_SIZE]
        records = [SourceRecord(p.external_id, p.raw, p.url) for p in chunk]
        _batch_store_as_rejected(ctx, records, [p.reason for p in chunk])
    return len(kept)


def _batch_store_as_rejected(ctx: RunContext, records: list[SourceRecord], reasons: list[str]) -> None:
    """Keep the listings as received even when they could not be processed."""
    rows = [
        RawListing(
            import_run=ctx.run,
            distributor=ctx.distributor,
            external_id=r.external_id[:120],
            source_url=(r.source_url or "")[:500],
            raw=r.raw,
            content_hash=content_hash(r.raw),
            status=ListingStatus.REJECTED,
            reasons=[reason],
        )
        for r, reason in zip(records, reasons, strict=True)
    ]
    try:
        with transaction.atomic():
            RawListing.objects.bulk_create(rows)
            ImportRun.objects.filter(pk=ctx.run.pk).update(rejected=F("rejected") + len(rows))
    except Exception:
        logger.exception("could not store the raw listings of a failed batch")


def _deactivate_unseen(ctx: RunContext) -> int:
    """Offers of the distributor the complete feed no longer lists become inactive."""
    active = Offer.objects.filter(distributor=ctx.distributor, is_active=True)
    unseen = active.filter(last_seen_at__lt=ctx.started_at)
    rows = list(unseen.values_list("id", "product_id"))
    if not rows:
        return 0
    total = active.count()
    if len(rows) > MAX_DEACTIVATE_SHARE * total:
        ctx.errors.append(
            f"the feed no longer lists {len(rows)} of {total} active offers: "
            "none deactivated (truncated feed?)"
        )
        ctx.failures += 1
        return 0
    deactivated = 0
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        with transaction.atomic():
            deactivated += Offer.objects.filter(pk__in=[pk for pk, _ in chunk], is_active=True).update(
                is_active=False
            )
            touched = Product.objects.in_bulk({pid for _, pid in chunk})
            changed = products.products_summarize(touched, today=ctx.today)
            if changed:
                products.rows_update(Product, changed, products.PRODUCT_UPDATE_FIELDS)
                ctx.changed_products.update(p.pk for p in changed)
    return deactivated


def _run_finish(run, ctx, *, errors, fetched, pages, fetch_complete) -> ImportRun:
    deactivated = 0
    if ctx is not None and fetch_complete:
        if fetched == 0:
            errors.append("the feed returned no listings: no offer deactivated")
            ctx.failures += 1
        else:
            try:
                deactivated = _deactivate_unseen(ctx)
            except Exception as exc:
                logger.exception("deactivating unseen offers of %s failed", run.distributor)
                errors.append(f"deactivating unseen offers failed: {exc!r}")
    if ctx is not None and ctx.llm is not None and ctx.llm.failures:
        # Not a failure of the run: the rule-based extraction covered those listings.
        detail = ctx.llm.disabled_reason or (ctx.llm.errors[0] if ctx.llm.errors else "")
        errors.append(f"LLM extraction failed {ctx.llm.failures} time(s), rules used instead: {detail}")
    run.refresh_from_db()
    run.fetched = fetched
    run.pages = pages
    run.deactivated += deactivated
    run.errors = [*run.errors, *errors][:MAX_ERRORS_KEPT]
    run.finished_at = timezone.now()
    if not fetch_complete and fetched == 0:
        run.status = ImportRunStatus.FAILED
    elif ctx is None or ctx.failures or not fetch_complete:
        run.status = ImportRunStatus.PARTIAL
    else:
        run.status = ImportRunStatus.SUCCEEDED
    run.save(update_fields=["fetched", "pages", "deactivated", "errors", "finished_at", "status"])
    if fetch_complete:
        Distributor.objects.filter(pk=run.distributor_id).update(last_synced_at=run.finished_at)
    if ctx is not None and ctx.llm is not None and ctx.llm.calls:
        logger.info(
            "import #%s LLM: %s calls, %s fields filled, %s failures",
            run.pk,
            ctx.llm.calls,
            ctx.llm.filled_fields,
            ctx.llm.failures,
        )
    if ctx is not None and ctx.changed_products:
        products_index_after_commit(sorted(ctx.changed_products))
    return run


def products_index_after_commit(product_ids: list[int]) -> None:
    """Hand changed products to the search index once the data is committed
    (``CATALOG_INDEX_AFTER_IMPORT=False`` turns this off, e.g. for bulk loads indexed later)."""
    if not product_ids or not getattr(settings, "CATALOG_INDEX_AFTER_IMPORT", True):
        return

    def enqueue() -> None:
        from catalog.tasks import index_products

        try:
            index_products.delay(product_ids)
        except Exception:
            # The broker being down must not turn a finished import into a failure: the next run
            # (or `manage.py catalog_index`) picks the products up, their hashes still differ.
            logger.exception("could not enqueue indexing of %s products", len(product_ids))

    transaction.on_commit(enqueue)

"""The part of a batch that runs before its transaction: hash, skip the unchanged, parse,
normalize, enrich, validate, match. No writes here, and a handful of reads per batch.

Each SourceRecord becomes a ``ListingWork`` carrying everything ``catalog.pipeline.persist``
needs to write it.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from catalog.models import DedupCandidate, ImportRun, Offer
from catalog.models.imports import DedupDecision, ListingStatus
from catalog.models.taxonomy import Distributor
from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline import dedup, enrich, validate
from catalog.pipeline.kits import component_skus, kit_identity_resolve
from catalog.pipeline.normalize import Reference, listing_normalize
from catalog.pipeline.types import ListingData, NormalizedListing, SourceRecord

logger = logging.getLogger(__name__)

DEFERRED = "deferred"  # a kit waiting for its components to be imported first


@dataclass
class ListingWork:
    record: SourceRecord
    content_hash: str
    status: str = ""
    reasons: list[str] = field(default_factory=list)
    data: ListingData | None = None
    listing: NormalizedListing | None = None
    verdict: validate.Verdict | None = None
    match: dedup.Match | None = None
    brand_id: int | None = None
    product_id: int | None = None
    offers: list[dict[str, Any]] = field(default_factory=list)  # this SKU's existing offers
    pending_candidates: list[dict[str, Any]] = field(default_factory=list)
    components: list[tuple[int, int]] = field(default_factory=list)  # kit: (product id, quantity)
    enriched: list[str] = field(default_factory=list)
    raw_listing_id: int | None = None

    @property
    def external_id(self) -> str:
        return self.record.external_id[:120]

    @property
    def accepted(self) -> bool:
        return self.status in (ListingStatus.NEW, ListingStatus.UPDATED)


@dataclass
class RunContext:
    """What one import run keeps between its batches."""

    run: ImportRun
    distributor: Distributor
    adapter: Any
    reference: Reference
    index: dedup.ProductIndex
    warehouses: dict[str, tuple[int, str]]  # code → (id, state)
    default_warehouse: tuple[int, str] | None
    started_at: datetime
    today: date
    llm: enrich.LLMEnricher | None = None
    seen: set[str] = field(default_factory=set)
    deferred: list[SourceRecord] = field(default_factory=list)
    final_pass: bool = False
    changed_products: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)  # shown on the ImportRun (notes and failures)
    failures: int = 0  # batches that could not be written, unexpected errors


def content_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def batch_prepare(ctx: RunContext, records: list[SourceRecord]) -> list[ListingWork]:
    works = [ListingWork(record=r, content_hash=content_hash(r.raw)) for r in records]
    ids = [w.external_id for w in works]
    offers_by_sku: dict[str, list[dict[str, Any]]] = {}
    for offer in Offer.objects.filter(distributor=ctx.distributor, sku__in=ids).values(
        "id",
        "sku",
        "product_id",
        "warehouse_id",
        "price",
        "stock",
        "lead_time_days",
        "is_active",
        "title",
        "url",
        "raw_listing__content_hash",
    ):
        offers_by_sku.setdefault(offer["sku"], []).append(offer)
    pending: dict[str, list[dict[str, Any]]] = {}
    for candidate in DedupCandidate.objects.filter(
        listing__distributor=ctx.distributor, listing__external_id__in=ids, decision=DedupDecision.PENDING
    ).values("id", "candidate_id", "listing__external_id"):
        pending.setdefault(candidate["listing__external_id"], []).append(candidate)

    parsed: list[ListingWork] = []
    for work in works:
        work.offers = offers_by_sku.get(work.external_id, [])
        work.pending_candidates = pending.get(work.external_id, [])
        if not ctx.final_pass or work.external_id not in ctx.seen:
            if work.external_id in ctx.seen:
                _reject(work, _("the feed lists this external id more than once; kept the first"))
                continue
            ctx.seen.add(work.external_id)
        if work.offers and all(
            o["is_active"] and o["raw_listing__content_hash"] == work.content_hash for o in work.offers
        ):
            work.status = ListingStatus.UNCHANGED
            work.product_id = work.offers[0]["product_id"]
            continue
        if _listing_parse(ctx, work):
            parsed.append(work)
    kits = [w for w in parsed if w.listing.kind == K.KIT]
    by_sku = component_skus(ctx, [w.listing for w in kits]) if kits else {}
    for work in parsed:
        _listing_prepare(ctx, work, by_sku)
    return works


def _reject(work: ListingWork, *reasons: str) -> None:
    work.status = ListingStatus.REJECTED
    work.reasons.extend(reasons)


def _listing_parse(ctx: RunContext, work: ListingWork) -> bool:
    """Parse and normalize; False when the listing is rejected or deferred."""
    try:
        work.data = ctx.adapter.parse(work.record)
    except Exception as exc:  # an adapter's ListingParseError, or a bug: the listing, not the run, fails
        _reject(work, _("could not be read: %(error)s") % {"error": exc})
        return False
    work.listing = listing_normalize(work.data, reference=ctx.reference)
    if work.listing.kind == K.KIT and not ctx.final_pass:
        work.status = DEFERRED
        ctx.deferred.append(work.record)
        return False
    return True


def _listing_prepare(ctx: RunContext, work: ListingWork, by_sku: dict[str, dedup.ProductRef]) -> None:
    listing = work.listing
    work.enriched = enrich.listing_enrich_rules(listing, data=work.data)
    if listing.kind == K.KIT:
        work.components, notes = kit_identity_resolve(ctx, listing, by_sku)
        work.reasons.extend(notes)
    if ctx.llm is not None and ctx.llm.enabled:
        work.enriched += ctx.llm.enrich(listing, data=work.data)
    active_prices = [o["price"] for o in work.offers if o["is_active"]]
    verdict = validate.listing_validate(
        listing, current_price=min(active_prices) if active_prices else None, today=ctx.today
    )
    work.verdict = verdict
    if not verdict.accepted:
        _reject(work, *verdict.reasons)
        return
    listing.specs = verdict.specs
    brand = ctx.reference.brand_lookup(listing.brand_name)
    work.brand_id = brand.id if brand else None
    if work.offers:
        # An offer already exists: its product is settled (by a match or a staff decision).
        work.product_id = work.offers[0]["product_id"]
        work.match = dedup.Match("sticky", work.product_id, 100.0)
        work.status = ListingStatus.UPDATED
        return
    work.match = dedup.listing_match(listing, brand_id=work.brand_id, index=ctx.index)
    if work.match.decision == "review":
        work.status = ListingStatus.REVIEW
        work.reasons.append(
            _("possible duplicate of product #%(id)s (similarity %(score)s)")
            % {"id": work.match.product_id, "score": work.match.score}
        )
        return
    work.product_id = work.match.product_id
    work.status = ListingStatus.NEW

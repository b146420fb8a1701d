"""Persist: write one prepared batch in one transaction — raw listings exactly as received,
products (new ones, and missing fields filled on existing ones), offers per warehouse, price
history on price or stock changes, the review queue, kit components, and each touched product's
offer summary and quality score.

Everything is bulk: a batch of a few hundred listings costs a few dozen queries whatever its
size. Existing products are only ever *filled* (a value already there is kept), so a second
distributor's listing never overwrites the first one's data, and a rejected listing writes
nothing but its RawListing.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalog.models import (
    Brand,
    Category,
    DedupCandidate,
    ImportRun,
    KitComponent,
    Offer,
    PriceHistory,
    Product,
    RawListing,
    Warehouse,
)
from catalog.models.imports import ListingStatus
from catalog.pipeline.normalize import BrandEntry
from catalog.pipeline.prepare import DEFERRED, ListingWork, RunContext
from catalog.pipeline.products import (
    MAX_SPEC_ERRORS,
    PRODUCT_UPDATE_FIELDS,
    product_build,
    product_fill,
    product_refs,
    products_summarize,
    rows_update,
    slug_for,
)
from catalog.pipeline.types import NormalizedListing, WarehouseStock
from catalog.reference import alias_normalize
from ysh.users.validators import BRAZILIAN_STATES

_STATES = {uf for uf, _ in BRAZILIAN_STATES}


# --- serialisation of the normalized listing (RawListing.normalized) -----------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def normalized_as_json(work: ListingWork) -> dict[str, Any]:
    if work.listing is None:
        return {}
    listing = work.listing
    data = {f: _jsonable(getattr(listing, f)) for f in NormalizedListing.__dataclass_fields__}
    data["warehouses"] = [_jsonable(vars(w)) for w in listing.warehouses]
    if work.verdict is not None:
        data["quality_score"] = work.verdict.quality_score
        data["spec_warnings"] = work.verdict.warnings
    if work.match is not None:
        data["match"] = {
            "decision": work.match.decision,
            "product_id": work.match.product_id,
            "score": work.match.score,
        }
    if work.enriched:
        data["enriched_fields"] = work.enriched
    return data


# --- the batch -------------------------------------------------------------------------------------
def batch_persist(ctx: RunContext, works: list[ListingWork]) -> dict[str, int]:
    """Write a prepared batch. Call inside ``transaction.atomic()``. Returns the status counts."""
    now = timezone.now()
    works = [w for w in works if w.status != DEFERRED]
    accepted = [w for w in works if w.accepted]
    _brands_ensure(ctx, accepted)
    _warehouses_resolve(ctx, accepted)
    accepted = [w for w in works if w.accepted]

    products = _products_ensure(ctx, accepted)
    raw_rows = [
        RawListing(
            import_run=ctx.run,
            distributor=ctx.distributor,
            external_id=w.external_id,
            source_url=(w.record.source_url or "")[:500],
            raw=w.record.raw,
            content_hash=w.content_hash,
            normalized=normalized_as_json(w),
            status=w.status,
            reasons=w.reasons,
            quality_score=w.verdict.quality_score if w.verdict else 0,
            product_id=w.product_id,
        )
        for w in works
    ]
    RawListing.objects.bulk_create(raw_rows)
    for work, row in zip(works, raw_rows, strict=True):
        work.raw_listing_id = row.pk

    touched = _offers_write(ctx, works, now)
    _review_queue_write(works)
    _kit_components_write(accepted)

    missing = touched - set(products)
    if missing:
        products.update(Product.objects.in_bulk(missing))
    changed = products_summarize(products, today=ctx.today)
    if changed:
        rows_update(Product, changed, PRODUCT_UPDATE_FIELDS)
        ctx.changed_products.update(p.pk for p in changed)

    counts = {status: sum(1 for w in works if w.status == status) for status in ListingStatus.values}
    ImportRun.objects.filter(pk=ctx.run.pk).update(
        created=F("created") + counts[ListingStatus.NEW],
        updated=F("updated") + counts[ListingStatus.UPDATED],
        unchanged=F("unchanged") + counts[ListingStatus.UNCHANGED],
        rejected=F("rejected") + counts[ListingStatus.REJECTED],
        review=F("review") + counts[ListingStatus.REVIEW],
    )
    return counts


def _brands_ensure(ctx: RunContext, works: list[ListingWork]) -> None:
    """Create the brands the batch names confidently but the catalog does not know yet."""
    wanted = {w.listing.brand_name for w in works if w.brand_id is None}
    if not wanted:
        return
    Brand.objects.bulk_create(
        [Brand(name=name, slug=slugify(name)[:90] or alias_normalize(name)) for name in wanted],
        ignore_conflicts=True,
    )
    for brand in Brand.objects.filter(name__in=wanted):
        ctx.reference.brands_by_alias[alias_normalize(brand.name)] = BrandEntry(id=brand.pk, name=brand.name)
    for work in works:
        if work.brand_id is None:
            entry = ctx.reference.brand_lookup(work.listing.brand_name)
            if entry is None:
                work.status = ListingStatus.REJECTED
                work.reasons.append(
                    _("brand %(brand)r could not be created (slug taken)")
                    % {"brand": work.listing.brand_name}
                )
            else:
                work.brand_id = entry.id


def _warehouses_resolve(ctx: RunContext, works: list[ListingWork]) -> None:
    """Map each listing's warehouses to Warehouse rows, creating the ones a feed introduces
    (code + valid state). A listing naming no warehouse is sold from the distributor's first."""
    new = {}
    for work in works:
        for stock in work.listing.warehouses:
            code = (stock.code or "")[:40]
            if code and code not in ctx.warehouses and (stock.state or "").upper() in _STATES:
                new[code] = Warehouse(
                    distributor=ctx.distributor,
                    code=code,
                    name=(stock.name or code)[:100],
                    city=(stock.city or "")[:100],
                    state=stock.state.upper(),
                )
    if new:
        Warehouse.objects.bulk_create(list(new.values()), ignore_conflicts=True)
        for pk, code, state in Warehouse.objects.filter(
            distributor=ctx.distributor, code__in=list(new)
        ).values_list("id", "code", "state"):
            ctx.warehouses[code] = (pk, state)
        if ctx.default_warehouse is None and ctx.warehouses:
            ctx.default_warehouse = next(iter(ctx.warehouses.values()))
    for work in works:
        if not work.listing.warehouses and ctx.default_warehouse is None:
            work.status = ListingStatus.REJECTED
            work.reasons.append(
                _("no warehouse: the listing names none and the distributor has none registered")
            )
        unknown = [s.code for s in work.listing.warehouses if s.code[:40] not in ctx.warehouses]
        if unknown:
            work.reasons.append(
                _("unknown warehouses ignored (no valid state): %(codes)s") % {"codes": ", ".join(unknown)}
            )
            if len(unknown) == len(work.listing.warehouses):
                work.status = ListingStatus.REJECTED


def _products_ensure(ctx: RunContext, works: list[ListingWork]) -> dict[int, Product]:
    """Create the new products of the batch, fill existing ones; returns the touched products."""
    needing = [w for w in works if w.product_id is None]
    if needing:
        # Another distributor's run may have created some since the index was loaded.
        existing = Product.objects.filter(
            model_key__in={w.listing.model_key for w in needing}, brand_id__in={w.brand_id for w in needing}
        )
        for ref in product_refs(existing):
            ctx.index.add(ref)
    to_create: dict[tuple, ListingWork] = {}
    for work in needing:
        key = (work.brand_id, work.listing.kind, work.listing.model_key)
        ref = ctx.index.by_key.get(key)
        if ref is not None:
            work.product_id = ref.id
        else:
            to_create.setdefault(key, work)
    products: dict[int, Product] = {}
    if to_create and any(
        w.listing.category_slug not in ctx.reference.category_ids for w in to_create.values()
    ):
        from catalog.services import reference_data_install

        reference_data_install()  # a category staff deleted, or a database never seeded
        ctx.reference.category_ids = dict(Category.objects.values_list("slug", "id"))
    if to_create:
        names = {w.brand_id: w.listing.brand_name for w in to_create.values()}
        bases = [slugify(f"{names[w.brand_id]} {w.listing.model_code}")[:230] for w in to_create.values()]
        wanted = [
            *bases,
            *(
                f"{b}-{w.listing.kind}".replace("_", "-")
                for b, w in zip(bases, to_create.values(), strict=True)
            ),
        ]
        taken = set(Product.objects.filter(slug__in=wanted).values_list("slug", flat=True))
        built: dict[tuple, Product] = {}
        for key, work in to_create.items():
            slug = slug_for(work.listing, names[work.brand_id], taken)
            taken.add(slug)
            product = product_build(
                work.listing,
                brand_id=work.brand_id,
                category_id=ctx.reference.category_ids[work.listing.category_slug],
                slug=slug,
            )
            product.spec_errors = list(work.verdict.warnings)[:MAX_SPEC_ERRORS]
            built[key] = product
        Product.objects.bulk_create(list(built.values()))
        for product in built.values():
            ctx.index.add(product_refs([product])[0])
            products[product.pk] = product
        for work in needing:
            if work.product_id is None:
                work.product_id = built[(work.brand_id, work.listing.kind, work.listing.model_key)].pk
    existing_ids = {w.product_id for w in works} - set(products)
    if existing_ids:
        products.update(Product.objects.in_bulk(existing_ids))
    creators = {id(w) for w in to_create.values()}
    for work in works:
        if id(work) not in creators:
            product_fill(products[work.product_id], work.listing, warnings=work.verdict.warnings)
    return products


def _offers_write(ctx: RunContext, works: list[ListingWork], now: datetime) -> set[int]:
    """Upsert the offers of accepted listings (one per warehouse), record price history, keep
    unchanged and rejected listings' offers seen. Returns the products whose offers changed."""
    touched: set[int] = set()
    new_offers: list[Offer] = []
    updates: list[Offer] = []
    history: list[PriceHistory] = []
    seen_ids: list[int] = []
    dropped: list[int] = []
    raw_updates: list[RawListing] = []
    first_offer: dict[int, Offer] = {}
    for work in works:
        if not work.accepted:
            # Unchanged, rejected or waiting for review: nothing changes, but the offers the feed
            # still lists were seen (a bad listing never takes the good offer down).
            seen_ids.extend(o["id"] for o in work.offers)
            if work.status == ListingStatus.UNCHANGED and work.offers:
                raw_updates.append(RawListing(pk=work.raw_listing_id, offer_id=work.offers[0]["id"]))
            continue
        listing = work.listing
        stocks = [s for s in listing.warehouses if s.code[:40] in ctx.warehouses] or [WarehouseStock(code="")]
        by_warehouse = {o["warehouse_id"]: o for o in work.offers}
        kept = set()
        for stock in stocks:
            warehouse_id = ctx.warehouses[stock.code[:40]][0] if stock.code else ctx.default_warehouse[0]
            price = stock.price if stock.price is not None else listing.price
            quantity = max(int(stock.stock or 0), 0)
            values = {
                "price": price,
                "stock": quantity,
                "lead_time_days": stock.lead_time_days,
                "title": listing.title[:300],
                "url": listing.url[:500],
            }
            current = by_warehouse.get(warehouse_id)
            kept.add(warehouse_id)
            if current is None:
                offer = Offer(
                    product_id=work.product_id,
                    distributor=ctx.distributor,
                    warehouse_id=warehouse_id,
                    sku=work.external_id,
                    last_seen_at=now,
                    raw_listing_id=work.raw_listing_id,
                    is_active=True,
                    **values,
                )
                new_offers.append(offer)
                first_offer.setdefault(work.raw_listing_id, offer)
                touched.add(work.product_id)
                continue
            offer = Offer(
                pk=current["id"],
                last_seen_at=now,
                raw_listing_id=work.raw_listing_id,
                is_active=True,
                **values,
            )
            updates.append(offer)
            first_offer.setdefault(work.raw_listing_id, offer)
            if current["price"] != price or current["stock"] != quantity or not current["is_active"]:
                history.append(
                    PriceHistory(
                        offer_id=current["id"],
                        price=price,
                        stock=quantity,
                        observed_at=now,
                        import_run=ctx.run,
                    )
                )
                touched.add(work.product_id)
        for offer in work.offers:
            if offer["warehouse_id"] not in kept and offer["is_active"]:
                dropped.append(offer["id"])
                touched.add(offer["product_id"])
    if new_offers:
        Offer.objects.bulk_create(new_offers)
        history.extend(
            PriceHistory(offer=o, price=o.price, stock=o.stock, observed_at=now, import_run=ctx.run)
            for o in new_offers
        )
    if updates:
        rows_update(
            Offer,
            updates,
            ["price", "stock", "lead_time_days", "title", "url", "last_seen_at", "raw_listing", "is_active"],
        )
    if history:
        PriceHistory.objects.bulk_create(history)
    if seen_ids:
        Offer.objects.filter(pk__in=seen_ids).update(last_seen_at=now)
    if dropped:
        count = Offer.objects.filter(pk__in=dropped).update(is_active=False)
        ImportRun.objects.filter(pk=ctx.run.pk).update(deactivated=F("deactivated") + count)
    raw_updates += [RawListing(pk=raw_id, offer_id=offer.pk) for raw_id, offer in first_offer.items()]
    if raw_updates:
        rows_update(RawListing, raw_updates, ["offer"])
    return touched


def _review_queue_write(works: list[ListingWork]) -> None:
    """Point the review queue at the latest listing; a listing already reviewed is not queued
    again (its offer settles it), one confidently matched now leaves the queue."""
    stale: list[int] = []
    new: list[DedupCandidate] = []
    for work in works:
        proposed = {pid: (score, why) for pid, score, why in (work.match.candidates if work.match else [])}
        if work.status != ListingStatus.REVIEW:
            if work.accepted:
                stale.extend(c["id"] for c in work.pending_candidates)
            continue
        kept = [c for c in work.pending_candidates if c["candidate_id"] in proposed]
        stale.extend(c["id"] for c in work.pending_candidates if c["candidate_id"] not in proposed)
        if kept:
            DedupCandidate.objects.filter(pk__in=[c["id"] for c in kept]).update(
                listing_id=work.raw_listing_id
            )
        known = {c["candidate_id"] for c in kept}
        new.extend(
            DedupCandidate(
                listing_id=work.raw_listing_id, candidate_id=pid, score=Decimal(str(score)), reasons=why
            )
            for pid, (score, why) in proposed.items()
            if pid not in known
        )
    if stale:
        DedupCandidate.objects.filter(pk__in=stale).delete()
    if new:
        DedupCandidate.objects.bulk_create(new, ignore_conflicts=True)


def _kit_components_write(works: list[ListingWork]) -> None:
    kits = {w.product_id: w.components for w in works if w.components}
    if not kits:
        return
    filled = set(
        KitComponent.objects.filter(kit_id__in=list(kits)).values_list("kit_id", flat=True).distinct()
    )
    rows = []
    for kit_id, components in kits.items():
        if kit_id in filled:
            continue  # a kit's composition is set once; staff edit it in the admin
        quantities: dict[int, int] = {}
        for component_id, quantity in components:
            if component_id != kit_id:
                quantities[component_id] = quantities.get(component_id, 0) + quantity
        rows += [KitComponent(kit_id=kit_id, component_id=c, quantity=q) for c, q in quantities.items()]
    KitComponent.objects.bulk_create(rows, ignore_conflicts=True)

"""Settling a listing that waited in the review queue, once staff decided: its offers are written
on the candidate product (merge) or on a product of its own (keep separate), with the same
writers as an import batch."""

from decimal import Decimal
from typing import Any

from django.utils import timezone

from catalog.models import (
    Offer,
    Product,
    RawListing,
    Warehouse,
)
from catalog.models.imports import ListingStatus
from catalog.pipeline import dedup, validate
from catalog.pipeline.persist import _brands_ensure, _offers_write, _products_ensure, _warehouses_resolve
from catalog.pipeline.prepare import ListingWork, RunContext
from catalog.pipeline.products import PRODUCT_UPDATE_FIELDS, products_summarize, rows_update
from catalog.pipeline.types import NormalizedListing, SourceRecord, WarehouseStock


def normalized_from_json(data: dict[str, Any]) -> NormalizedListing:
    fields = {k: v for k, v in data.items() if k in NormalizedListing.__dataclass_fields__}
    fields["price"] = Decimal(fields["price"]) if fields.get("price") not in (None, "") else None
    fields["warehouses"] = [
        WarehouseStock(**{**w, "price": Decimal(w["price"]) if w.get("price") not in (None, "") else None})
        for w in fields.get("warehouses", [])
    ]
    fields["components"] = [tuple(c) for c in fields.get("components", [])]
    return NormalizedListing(**fields)


def listing_settle(*, raw_listing: RawListing, product_id: int | None) -> int:
    """Write the offers of a listing that waited in the review queue: on ``product_id`` (staff
    merged it) or on a product of its own (``None``: staff kept it separate). Returns the
    product id. Call inside a transaction."""
    from catalog.pipeline.run import reference_load

    listing = normalized_from_json(raw_listing.normalized)
    warehouses = {
        code: (pk, state)
        for pk, code, state in Warehouse.objects.filter(distributor_id=raw_listing.distributor_id)
        .order_by("id")
        .values_list("id", "code", "state")
    }
    ctx = RunContext(
        run=raw_listing.import_run,
        distributor=raw_listing.distributor,
        adapter=None,
        reference=reference_load(),
        index=dedup.ProductIndex(),
        warehouses=warehouses,
        default_warehouse=next(iter(warehouses.values()), None),
        started_at=timezone.now(),
        today=timezone.localdate(),
    )
    brand = ctx.reference.brand_lookup(listing.brand_name)
    work = ListingWork(
        record=SourceRecord(raw_listing.external_id, raw_listing.raw, raw_listing.source_url),
        content_hash=raw_listing.content_hash,
        status=ListingStatus.NEW,
        listing=listing,
        verdict=validate.Verdict(
            accepted=True,
            specs=listing.specs,
            warnings=list(raw_listing.normalized.get("spec_warnings", [])),
            quality_score=raw_listing.quality_score,
        ),
        brand_id=brand.id if brand else None,
        product_id=product_id,
        offers=list(
            Offer.objects.filter(
                distributor_id=raw_listing.distributor_id, sku=raw_listing.external_id
            ).values(
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
            )
        ),
        raw_listing_id=raw_listing.pk,
    )
    if work.offers:
        work.product_id = work.offers[0]["product_id"]  # settled meanwhile: keep it
    _brands_ensure(ctx, [work])
    _warehouses_resolve(ctx, [work])
    if not work.accepted:
        raise ValueError("; ".join(work.reasons) or "listing cannot be settled")
    products = _products_ensure(ctx, [work])
    touched = _offers_write(ctx, [work], timezone.now())
    missing = touched - set(products)
    if missing:
        products.update(Product.objects.in_bulk(missing))
    changed = products_summarize(products, today=ctx.today)
    if changed:
        rows_update(Product, changed, PRODUCT_UPDATE_FIELDS)
    RawListing.objects.filter(pk=raw_listing.pk).update(product_id=work.product_id)
    return work.product_id

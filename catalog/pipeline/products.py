"""Products as the pipeline writes them: built from a listing, filled (never overwritten) from
further listings, their offer summary and quality score recomputed, and saved in bulk.

Shared by the batch writer (``persist``), staff decisions on the review queue (``settle``) and
``catalog.services``.
"""

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from catalog.models import (
    Offer,
    Product,
)
from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline import dedup, enrich, validate
from catalog.pipeline.types import NormalizedListing

FILL_FIELDS = (
    "description",
    "datasheet_url",
    "ence_class",
    "warranty_years",
    "performance_warranty_years",
)
PRODUCT_UPDATE_FIELDS = [
    "description",
    "specs",
    "spec_errors",
    "power_w",
    "energy_wh",
    "phases",
    "voltage_v",
    "inmetro_registration",
    "inmetro_valid_until",
    "ence_class",
    "warranty_years",
    "performance_warranty_years",
    "datasheet_url",
    "images",
    "min_price",
    "max_price",
    "median_price",
    "price_per_wp",
    "offer_count",
    "in_stock",
    "stock_states",
    "quality_score",
    "content_hash",
    "updated_at",
]
MAX_SPEC_ERRORS = 20


def rows_update(model, objs: list, fields: list[str]) -> int:
    """``UPDATE … SET <fields> WHERE id = …`` for each object, as one executemany.

    Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per field and row, which costs
    more Python time than the import itself on a few hundred rows; this sends the same values,
    adapted by each field for the connection, as one prepared statement run per row."""
    if not objs:
        return 0
    from django.db import connections, router

    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    # Identifiers come from the model's own metadata, quoted by the backend; values are parameters.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in columns),
        quote(meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(objs)


# --- products ------------------------------------------------------------------------------------
def promoted_columns(kind: str, specs: dict[str, Any]) -> dict[str, Any]:
    def dec(value: Any, factor: int = 1) -> Decimal | None:
        return (Decimal(str(value)) * factor).quantize(Decimal("0.1")) if value not in (None, "") else None

    power = {
        K.MODULE: dec(specs.get("power_w")),
        K.INVERTER: dec(specs.get("ac_power_w")),
        K.MICROINVERTER: dec(specs.get("ac_power_w")),
        K.KIT: dec(specs.get("power_kwp"), 1000),
    }.get(kind)
    return {
        "power_w": power,
        "energy_wh": dec(specs.get("capacity_kwh"), 1000) if kind == K.BATTERY else None,
        "phases": specs.get("phases"),
        "voltage_v": specs.get("grid_voltage_v"),
    }


def product_build(listing: NormalizedListing, *, brand_id: int, category_id: int, slug: str) -> Product:
    product = Product(
        kind=listing.kind,
        category_id=category_id,
        brand_id=brand_id,
        model_code=listing.model_code[:120],
        model_key=listing.model_key[:120],
        name=listing.name[:255],
        slug=slug,
        specs={},
        images=[],
    )
    product_fill(product, listing, warnings=[])
    return product


def product_fill(product: Product, listing: NormalizedListing, *, warnings: list[str]) -> None:
    """Fill what the product lacks from a listing. Values already there are kept."""
    for name in FILL_FIELDS:
        value = getattr(listing, name)
        if value and not getattr(product, name):
            setattr(product, name, value)
    if listing.images and not product.images:
        product.images = list(listing.images)
    specs = dict(product.specs or {})
    for key, value in listing.specs.items():
        specs.setdefault(key, value)
    product.specs = specs
    for column, value in promoted_columns(product.kind, specs).items():
        setattr(product, column, value)
    if listing.inmetro_registration:
        listed_until = (
            date.fromisoformat(listing.inmetro_valid_until) if listing.inmetro_valid_until else None
        )
        if not product.inmetro_registration:
            product.inmetro_registration = listing.inmetro_registration
            product.inmetro_valid_until = listed_until
        elif (
            product.inmetro_registration == listing.inmetro_registration
            and listed_until
            and (product.inmetro_valid_until is None or listed_until > product.inmetro_valid_until)
        ):
            product.inmetro_valid_until = listed_until  # a renewed registration: the later validity wins
    if warnings:
        product.spec_errors = list(dict.fromkeys([*(product.spec_errors or []), *warnings]))[
            -MAX_SPEC_ERRORS:
        ]


def product_content_hash(product: Product) -> str:
    """What the storefront shows of a product; a change hands it to the search index."""
    facts = [
        product.name,
        product.kind,
        product.brand_id,
        product.category_id,
        product.model_code,
        product.specs,
        product.spec_errors,
        product.description,
        product.images,
        product.datasheet_url,
        product.inmetro_registration,
        product.inmetro_valid_until,
        product.ence_class,
        product.warranty_years,
        product.performance_warranty_years,
        product.min_price,
        product.max_price,
        product.median_price,
        product.price_per_wp,
        product.offer_count,
        product.in_stock,
        product.stock_states,
        product.quality_score,
        product.is_active,
    ]
    return hashlib.sha256(json.dumps(facts, default=str, sort_keys=True).encode()).hexdigest()


def products_summarize(products: dict[int, Product], *, today: date) -> list[Product]:
    """Recompute offer summary and quality score of ``products`` (loaded rows); returns those
    whose content changed (not yet saved)."""
    facts: dict[int, list[enrich.OfferFacts]] = {pid: [] for pid in products}
    for product_id, price, stock, active, state in Offer.objects.filter(
        product_id__in=list(products)
    ).values_list("product_id", "price", "stock", "is_active", "warehouse__state"):
        facts[product_id].append(enrich.OfferFacts(price, stock, state, active))
    changed = []
    for product_id, product in products.items():
        for column, value in enrich.offer_summary(
            facts[product_id], kind=product.kind, power_w=product.power_w
        ).items():
            setattr(product, column, value)
        product.quality_score = validate.quality_score(
            validate.QualityFacts(
                kind=product.kind,
                specs=product.specs or {},
                has_price=product.min_price is not None,
                warranty_years=product.warranty_years,
                inmetro_registration=product.inmetro_registration,
                inmetro_valid_until=product.inmetro_valid_until,
                images=len(product.images or []),
                datasheet=bool(product.datasheet_url),
                description=product.description,
            ),
            today=today,
        )
        digest = product_content_hash(product)
        if digest != product.content_hash:
            product.content_hash = digest
            product.updated_at = timezone.now()
            changed.append(product)
    return changed


def slug_for(listing: NormalizedListing, brand_name: str, taken: set[str]) -> str:
    base = slugify(f"{brand_name} {listing.model_code}")[:230] or slugify(listing.name)[:230] or "produto"
    for candidate in (base, f"{base}-{listing.kind}".replace("_", "-")):
        if candidate not in taken:
            return candidate
    digest = hashlib.sha1(f"{listing.kind}:{listing.model_key}".encode()).hexdigest()[:8]  # noqa: S324
    return f"{base}-{digest}"


def product_refs(rows) -> list[dedup.ProductRef]:
    refs = []
    for p in rows:
        power = p.energy_wh if p.kind == K.BATTERY else p.power_w
        refs.append(
            dedup.ProductRef(
                p.pk, p.brand_id, p.kind, p.model_key, p.model_code, power, dedup.traits_of(p.specs or {})
            )
        )
    return refs

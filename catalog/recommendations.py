"""Recommendations on the product page (and for the assistant).

* ``similar_products`` — vector neighbours in Qdrant within the same kind and power (or energy)
  band; SQL nearest-power products when the index is unavailable or does not hold the product.
* ``compatible_components`` — for a module, the inverters and micro-inverters it can be strung
  on (``catalog.stringing``); for an inverter, the modules that suit it; for a battery, hybrid
  inverters; for a kit, structures for its roof and string boxes rated for its strings.
* ``frequently_bought_together`` — products that share baskets with this one more often than
  chance (lift > 1), read from ``ProductAssociation`` rows precomputed nightly by
  ``catalog.baskets`` from every registered basket source: kit compositions today, the orders
  app's order lines once it registers them (``catalog.baskets`` documents the hook). Best
  confidence first; each item carries its support, confidence, lift and basket count.

Each function returns a ``RecommendationSet`` of product ids with per-item details; callers
hydrate the ids of all sets with one query (``catalog.storefront.listing.product_rows``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Abs

from catalog.models import KitComponent, Product, ProductAssociation
from catalog.models.taxonomy import ProductKind
from catalog.search.filters import ProductFilters
from catalog.search.semantic import SemanticUnavailable, neighbour_ranking
from catalog.stringing import micro_design, module_electrical, string_design

K = ProductKind
DEFAULT_LIMIT = 6
# How many candidates the compatibility check reads (cheapest in-stock first).
CANDIDATES = 200
POWER_BAND = Decimal("0.20")
UNAVAILABLE_NOTE = "vector index unavailable"
ENERGY_BAND = Decimal("0.30")


class Source:
    VECTOR = "vector"
    SQL = "sql"
    RULES = "rules"
    BASKETS = "baskets"
    UNAVAILABLE = "unavailable"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class RecommendedItem:
    product_id: int
    role: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecommendationSet:
    source: str
    items: list[RecommendedItem] = field(default_factory=list)
    note: str = ""

    @property
    def product_ids(self) -> list[int]:
        return [item.product_id for item in self.items]


def _band(value, width: Decimal) -> tuple[Decimal | None, Decimal | None]:
    if value is None:
        return None, None
    value = Decimal(value)
    return value * (1 - width), value * (1 + width)


def similar_products(*, product: Product, limit: int = DEFAULT_LIMIT) -> RecommendationSet:
    power_min, power_max = _band(product.power_w, POWER_BAND)
    energy_min, energy_max = _band(product.energy_wh, ENERGY_BAND)
    filters = ProductFilters(
        kinds=(product.kind,),
        power_min=power_min,
        power_max=power_max,
        energy_min=energy_min,
        energy_max=energy_max,
    )
    note = ""
    try:
        hits = neighbour_ranking(product_id=product.id, filters=filters, limit=limit)
        if hits:
            return RecommendationSet(
                source=Source.VECTOR,
                items=[
                    RecommendedItem(hit.product_id, details={"score": round(hit.score, 4)}) for hit in hits
                ],
            )
        note = "product not in the vector index yet"
    except SemanticUnavailable as exc:
        note = f"{UNAVAILABLE_NOTE}: {exc}"
    queryset = filters.apply(Product.objects.exclude(id=product.id))
    if product.power_w is not None:
        queryset = queryset.annotate(distance=Abs(F("power_w") - product.power_w))
    elif product.energy_wh is not None:
        queryset = queryset.annotate(distance=Abs(F("energy_wh") - product.energy_wh))
    else:
        queryset = queryset.filter(category_id=product.category_id).annotate(distance=Value(0))
    other_brand = Case(
        When(brand_id=product.brand_id, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    ids = list(
        queryset.order_by("distance", other_brand, F("min_price").asc(nulls_last=True), "id").values_list(
            "id", flat=True
        )[:limit]
    )
    return RecommendationSet(source=Source.SQL, items=[RecommendedItem(pid) for pid in ids], note=note)


def _candidates(**filters) -> list[dict[str, Any]]:
    return list(
        Product.objects.filter(is_active=True, **filters)
        .order_by("-in_stock", F("min_price").asc(nulls_last=True), "id")
        .values("id", "kind", "specs")[:CANDIDATES]
    )


def _design_items(pairs, limit: int, role: str) -> list[RecommendedItem]:
    items = []
    for product_id, design in pairs:
        if design is not None:
            items.append(RecommendedItem(product_id, role=role, details=design.as_dict()))
            if len(items) >= limit:
                break
    return items


def _module_specs(product: Product) -> dict[str, Any]:
    specs = dict(product.specs or {})
    if "power_w" not in specs and product.power_w is not None:
        specs["power_w"] = float(product.power_w)
    return specs


def _kit_parts(product: Product) -> list[tuple[Product, int]]:
    return [
        (c.component, c.quantity)
        for c in KitComponent.objects.filter(kit=product).select_related("component")
    ]


def _for_module(product: Product, module_count: int | None, limit: int) -> RecommendationSet:
    module = _module_specs(product)
    if module_electrical(module) is None:
        return RecommendationSet(source=Source.RULES, note="module lacks Wp, Voc or Vmp")
    pairs = []
    for row in _candidates(kind__in=[K.INVERTER, K.MICROINVERTER]):
        specs = row["specs"] or {}
        if row["kind"] == K.MICROINVERTER:
            pairs.append((row["id"], micro_design(module=module, micro=specs, module_count=module_count)))
        elif specs.get("inverter_type") != "off-grid":
            pairs.append((row["id"], string_design(module=module, inverter=specs, module_count=module_count)))
    return RecommendationSet(source=Source.RULES, items=_design_items(pairs, limit, "inverter"))


def _for_inverter(product: Product, module_count: int | None, limit: int) -> RecommendationSet:
    inverter = dict(product.specs or {})
    pairs = []
    for row in _candidates(kind=K.MODULE):
        module = row["specs"] or {}
        if product.kind == K.MICROINVERTER:
            pairs.append((row["id"], micro_design(module=module, micro=inverter, module_count=module_count)))
        else:
            pairs.append(
                (row["id"], string_design(module=module, inverter=inverter, module_count=module_count))
            )
    return RecommendationSet(source=Source.RULES, items=_design_items(pairs, limit, "module"))


def _for_battery(product: Product, limit: int) -> RecommendationSet:
    low_voltage = float((product.specs or {}).get("nominal_voltage_v") or 48) <= 60
    wanted = "low" if low_voltage else "high"
    items = []
    for row in _candidates(kind=K.INVERTER, specs__inverter_type="hybrid"):
        declared = (row["specs"] or {}).get("battery_voltage")
        if declared in (None, wanted):
            items.append(
                RecommendedItem(row["id"], role="hybrid_inverter", details={"battery_voltage": wanted})
            )
        if len(items) >= limit:
            break
    return RecommendationSet(source=Source.RULES, items=items)


def _for_kit(product: Product, limit: int, parts: list[tuple[Product, int]] | None) -> RecommendationSet:
    parts = _kit_parts(product) if parts is None else parts
    modules = [(c, q) for c, q in parts if c.kind == K.MODULE]
    inverters = [c for c, _ in parts if c.kind == K.INVERTER]
    module_count = sum(q for _, q in modules) or int((product.specs or {}).get("module_count") or 0)
    roof = (product.specs or {}).get("roof_type")
    items: list[RecommendedItem] = []
    # Half the slots for structures matching the kit's roof, the rest for string boxes.
    for row in _candidates(kind=K.STRUCTURE):
        specs = row["specs"] or {}
        if roof and specs.get("roof_type") and specs["roof_type"] != roof:
            continue
        per_unit = specs.get("modules_supported")
        quantity = math.ceil(module_count / per_unit) if per_unit and module_count else None
        details = {"quantity": quantity, "roof_type": specs.get("roof_type")}
        items.append(RecommendedItem(row["id"], role="structure", details=details))
        if len(items) >= max(1, limit // 2):
            break
    design = None
    if modules and inverters:
        design = string_design(
            module=_module_specs(modules[0][0]),
            inverter=dict(inverters[0].specs or {}),
            module_count=module_count,
        )
    for row in _candidates(kind=K.STRING_BOX):
        specs = row["specs"] or {}
        if design is not None:
            if (specs.get("max_voltage_v") or 0) < design.string_voc_cold_v:
                continue
            if (specs.get("inputs") or 0) < design.strings:
                continue
        details = {"design": design.as_dict() if design else None}
        items.append(RecommendedItem(row["id"], role="string_box", details=details))
        if len(items) >= limit:
            break
    return RecommendationSet(source=Source.RULES, items=items)


def compatible_components(
    *,
    product: Product,
    module_count: int | None = None,
    limit: int = DEFAULT_LIMIT,
    kit_parts: list[tuple[Product, int]] | None = None,
) -> RecommendationSet:
    """``kit_parts`` ((component, quantity) pairs) saves a query when the caller has them."""
    if product.kind == K.MODULE:
        return _for_module(product, module_count, limit)
    if product.kind in (K.INVERTER, K.MICROINVERTER):
        return _for_inverter(product, module_count, limit)
    if product.kind == K.BATTERY:
        return _for_battery(product, limit)
    if product.kind == K.KIT:
        return _for_kit(product, limit, kit_parts)
    return RecommendationSet(source=Source.NOT_APPLICABLE)


def frequently_bought_together(*, product_id: int, limit: int = DEFAULT_LIMIT) -> RecommendationSet:
    """One query on the precomputed associations (``catalog.baskets``)."""
    rows = (
        ProductAssociation.objects.filter(product_id=product_id, other__is_active=True)
        .order_by("-confidence", "-lift", "other_id")
        .values_list("other_id", "support", "confidence", "lift", "baskets")[:limit]
    )
    items = [
        RecommendedItem(
            other_id,
            details={
                "support": round(support, 4),
                "confidence": round(confidence, 4),
                "lift": round(lift, 3),
                "baskets": baskets,
            },
        )
        for other_id, support, confidence, lift, baskets in rows
    ]
    note = "" if items else "nothing is bought with this product often enough yet"
    return RecommendationSet(source=Source.BASKETS, items=items, note=note)


def product_recommendations(
    *,
    product: Product,
    module_count: int | None = None,
    limit: int = DEFAULT_LIMIT,
    kit_parts: list[tuple[Product, int]] | None = None,
) -> dict[str, RecommendationSet]:
    return {
        "similar": similar_products(product=product, limit=limit),
        "compatible": compatible_components(
            product=product, module_count=module_count, limit=limit, kit_parts=kit_parts
        ),
        "frequently_bought_together": frequently_bought_together(product_id=product.id, limit=limit),
    }


__all__ = [
    "RecommendationSet",
    "RecommendedItem",
    "Source",
    "compatible_components",
    "frequently_bought_together",
    "product_recommendations",
    "similar_products",
]

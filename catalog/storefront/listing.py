"""Product lists for the storefront API and the portal: lean rows, orderings, the category tree,
brands and distributors.

Rows come from one ``values()`` query over the denormalized columns of Product (price summary,
stock, promoted specs) joined to brand and category — no per-row queries and no model
instances, because the list is the storefront's hottest path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import F, QuerySet
from django.utils import timezone

from catalog.compliance import FLAGGED, compliance_status
from catalog.models import Brand, Category, Distributor, Product, Warehouse
from catalog.models.taxonomy import ProductKind

LIST_FIELDS = (
    "id",
    "slug",
    "name",
    "kind",
    "model_code",
    "brand_id",
    "brand__name",
    "brand__slug",
    "category_id",
    "category__name",
    "category__slug",
    "power_w",
    "energy_wh",
    "phases",
    "voltage_v",
    "min_price",
    "max_price",
    "price_per_wp",
    "offer_count",
    "in_stock",
    "stock_states",
    "images",
    "inmetro_registration",
    "inmetro_valid_until",
    "ence_class",
    "created_at",
)

ORDERINGS: dict[str, tuple] = {
    "newest": ("-created_at", "-id"),
    "price": (F("min_price").asc(nulls_last=True), "id"),
    "-price": (F("min_price").desc(nulls_last=True), "-id"),
    "price_per_wp": (F("price_per_wp").asc(nulls_last=True), "id"),
    "power": (F("power_w").asc(nulls_last=True), "id"),
    "-power": (F("power_w").desc(nulls_last=True), "-id"),
}
DEFAULT_ORDERING = "newest"
CATEGORY_TREE_CACHE_KEY = "catalog:storefront:categories:v1"
CATEGORY_TREE_TTL = 300


def money_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def number_value(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def product_row(
    values: dict[str, Any], *, today: date, kind_labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """One list row (the ``ProductListItem`` schema) from ``values(*LIST_FIELDS)``."""
    status = compliance_status(
        kind=values["kind"],
        inmetro_registration=values["inmetro_registration"],
        inmetro_valid_until=values["inmetro_valid_until"],
        today=today,
    )
    images = values["images"]
    kind = values["kind"]
    return {
        "id": values["id"],
        "slug": values["slug"],
        "name": values["name"],
        "kind": kind,
        "kind_label": (kind_labels or kind_label_map()).get(kind, kind),
        "model_code": values["model_code"],
        "brand": {"id": values["brand_id"], "name": values["brand__name"], "slug": values["brand__slug"]},
        "category": {
            "id": values["category_id"],
            "name": values["category__name"],
            "slug": values["category__slug"],
        },
        "power_w": number_value(values["power_w"]),
        "energy_wh": number_value(values["energy_wh"]),
        "phases": values["phases"],
        "voltage_v": values["voltage_v"],
        "min_price": money_text(values["min_price"]),
        "max_price": money_text(values["max_price"]),
        "price_per_wp": None if values["price_per_wp"] is None else f"{values['price_per_wp']:.4f}",
        "offer_count": values["offer_count"],
        "in_stock": values["in_stock"],
        "stock_states": values["stock_states"] or [],
        "image": images[0] if images and isinstance(images[0], str) else None,
        "compliance": {"status": status, "flagged": status in FLAGGED, "ence_class": values["ence_class"]},
        "created_at": values["created_at"].isoformat() if values["created_at"] else None,
    }


def kind_label_map() -> dict[str, str]:
    """Kind → label in the active language (translated once per list, not once per row)."""
    return {value: str(label) for value, label in ProductKind.choices}


def product_rows(queryset: QuerySet) -> list[dict[str, Any]]:
    """Rows of ``queryset`` (already filtered, ordered and sliced) in one query."""
    today = timezone.localdate()
    labels = kind_label_map()
    return [product_row(values, today=today, kind_labels=labels) for values in queryset.values(*LIST_FIELDS)]


def products_by_ids(ids: list[int], *, queryset: QuerySet | None = None) -> list[dict[str, Any]]:
    """Rows of the products ``ids`` in that order (missing or filtered-out ids are skipped)."""
    if not ids:
        return []
    base = queryset if queryset is not None else Product.objects.filter(is_active=True)
    by_id = {row["id"]: row for row in product_rows(base.filter(id__in=ids))}
    return [by_id[pid] for pid in ids if pid in by_id]


def products_ordered(queryset: QuerySet, ordering: str | None) -> QuerySet:
    return queryset.order_by(*ORDERINGS[ordering or DEFAULT_ORDERING])


# --- reference lists -----------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryNode:
    id: int
    parent_id: int | None
    name: str
    slug: str
    kind: str
    position: int


def category_nodes() -> list[CategoryNode]:
    """Every category, cached for a few minutes (the tree is small and rarely edited)."""
    nodes = cache.get(CATEGORY_TREE_CACHE_KEY)
    if nodes is None:
        nodes = [
            CategoryNode(**row)
            for row in Category.objects.order_by("position", "name").values(
                "id", "parent_id", "name", "slug", "kind", "position"
            )
        ]
        cache.set(CATEGORY_TREE_CACHE_KEY, nodes, CATEGORY_TREE_TTL)
    return nodes


def category_tree_forget() -> None:
    """Call after editing categories (the admin) so lists see the change at once."""
    cache.delete(CATEGORY_TREE_CACHE_KEY)


def category_subtree_ids(category_id: int, nodes: list[CategoryNode] | None = None) -> tuple[int, ...]:
    nodes = nodes if nodes is not None else category_nodes()
    children: dict[int | None, list[int]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node.id)
    found, stack = [], [category_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue  # a corrupt cycle must not loop forever
        found.append(current)
        stack.extend(children.get(current, []))
    return tuple(found)


def category_tree(*, counts: dict[int, int] | None = None) -> list[dict[str, Any]]:
    """The category tree as nested dicts; with ``counts`` (products per category), each node
    carries the count of its whole subtree."""
    nodes = category_nodes()
    by_parent: dict[int | None, list[CategoryNode]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)

    def build(node: CategoryNode, depth: int) -> dict[str, Any]:
        children = [build(child, depth + 1) for child in by_parent.get(node.id, [])] if depth < 10 else []
        item: dict[str, Any] = {
            "id": node.id,
            "name": node.name,
            "slug": node.slug,
            "kind": node.kind,
            "children": children,
        }
        if counts is not None:
            item["count"] = counts.get(node.id, 0) + sum(child["count"] for child in children)
        return item

    return [build(node, 0) for node in by_parent.get(None, [])]


def brand_list() -> QuerySet:
    return Brand.objects.order_by("name").values("id", "name", "slug", "country", "website")


def distributor_list() -> list[dict[str, Any]]:
    distributors = list(
        Distributor.objects.filter(is_active=True).order_by("name").values("id", "name", "slug", "website")
    )
    states: dict[int, set[str]] = {}
    for distributor_id, state in Warehouse.objects.filter(distributor__is_active=True).values_list(
        "distributor_id", "state"
    ):
        states.setdefault(distributor_id, set()).add(state)
    for row in distributors:
        row["states"] = sorted(states.get(row["id"], ()))
    return distributors

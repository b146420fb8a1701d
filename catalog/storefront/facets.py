"""Facet counts for a filtered product list, in a constant number of queries.

Four GROUP BY queries (kind, brand, category, phases) and one conditional aggregate (total,
stock, power bands, price bands) whatever the catalog size or the filters. The result, total
included, is cached for a minute per filter combination: the list's page query then needs no
COUNT(*), and a busy storefront computes each combination's facets once a minute.

Facets are conjunctive: they count within every active filter, so each count is the number of
results that clicking it would give.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from catalog.models.taxonomy import ProductKind
from catalog.search.cache import cached
from catalog.search.text import PHASE_WORDS
from catalog.storefront.listing import category_tree

FACETS_TTL = 60
FACETS_NAMESPACE = "facets"

# (key, min W, max W), both inclusive like the power_min/power_max filters a band's link sets
POWER_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("0-500", None, 500),
    ("500-600", 500, 600),
    ("600-3000", 600, 3000),
    ("3000-6000", 3000, 6000),
    ("6000-10000", 6000, 10000),
    ("10000-", 10000, None),
)
# (key, min BRL, max BRL), both inclusive like the price_min/price_max filters a band's link sets
PRICE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("0-500", None, 500),
    ("500-1000", 500, 1000),
    ("1000-3000", 1000, 3000),
    ("3000-10000", 3000, 10000),
    ("10000-", 10000, None),
)


def _watts_label(value: int) -> str:
    return f"{value // 1000} kW" if value >= 1000 and value % 1000 == 0 else f"{value} W"


def _brl_label(value: int) -> str:
    return "R$ " + f"{value:,}".replace(",", ".")


def _band_label(low, high, unit) -> str:
    if low is None:
        return _("up to %(value)s") % {"value": unit(high)}
    if high is None:
        return _("%(value)s or more") % {"value": unit(low)}
    return f"{unit(low)} – {unit(high)}"


def _band_q(field: str, low, high) -> Q:
    condition = Q(**{f"{field}__isnull": False})
    if low is not None:
        condition &= Q(**{f"{field}__gte": low})
    if high is not None:
        condition &= Q(**{f"{field}__lte": high})
    return condition


def product_facets(queryset: QuerySet) -> tuple[int, dict[str, Any]]:
    """(total, facets) of the filtered ``queryset``. Five queries."""
    queryset = queryset.order_by()
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "stocked": Count("id", filter=Q(in_stock=True)),
    }
    for key, low, high in POWER_BANDS:
        aggregates[f"power_{key}"] = Count("id", filter=_band_q("power_w", low, high))
    for key, low, high in PRICE_BANDS:
        aggregates[f"price_{key}"] = Count("id", filter=_band_q("min_price", low, high))
    totals = queryset.aggregate(**aggregates)

    kind_labels = dict(ProductKind.choices)
    kinds = [
        {"value": row["kind"], "label": str(kind_labels.get(row["kind"], row["kind"])), "count": row["n"]}
        for row in queryset.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    ]
    brands = [
        {"value": row["brand__slug"], "label": row["brand__name"], "count": row["n"]}
        for row in queryset.values("brand__slug", "brand__name")
        .annotate(n=Count("id"))
        .order_by("-n", "brand__name")
    ]
    per_category = dict(queryset.values_list("category_id").annotate(n=Count("id")).order_by())
    phases = [
        {
            "value": row["phases"],
            "label": PHASE_WORDS.get(row["phases"], str(row["phases"])),
            "count": row["n"],
        }
        for row in queryset.exclude(phases=None).values("phases").annotate(n=Count("id")).order_by("phases")
    ]

    def flatten(nodes, parent):
        for node in nodes:
            if node["count"]:
                yield {
                    "value": node["slug"],
                    "label": node["name"],
                    "count": node["count"],
                    "parent": parent,
                }
                yield from flatten(node["children"], node["slug"])

    facets = {
        "kind": kinds,
        "brand": brands,
        "category": list(flatten(category_tree(counts=per_category), None)),
        "phases": phases,
        "power": [
            {
                "value": key,
                "label": _band_label(low, high, _watts_label),
                "min": low,
                "max": high,
                "count": totals[f"power_{key}"],
            }
            for key, low, high in POWER_BANDS
            if totals[f"power_{key}"]
        ],
        "price": [
            {
                "value": key,
                "label": _band_label(low, high, _brl_label),
                "min": low,
                "max": high,
                "count": totals[f"price_{key}"],
            }
            for key, low, high in PRICE_BANDS
            if totals[f"price_{key}"]
        ],
        "in_stock": [
            {"value": True, "label": _("in stock"), "count": totals["stocked"]},
            {"value": False, "label": _("out of stock"), "count": totals["total"] - totals["stocked"]},
        ],
    }
    return totals["total"], facets


def product_facets_cached(queryset: QuerySet, *, key_parts: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """``product_facets`` memoized for FACETS_TTL seconds under the normalized filter values
    (and the index generation, so an import or an admin edit shows at once)."""
    return cached(FACETS_NAMESPACE, key_parts, lambda: product_facets(queryset), ttl=FACETS_TTL)


FACET_FIELDS = (
    "id",
    "kind",
    "brand__slug",
    "brand__name",
    "category_id",
    "phases",
    "power_w",
    "min_price",
    "in_stock",
)


def facets_from_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The same facets as ``product_facets`` over rows already in memory (search results: at
    most a hundred, as ``values(*FACET_FIELDS)``), so a search adds no facet queries."""
    from collections import Counter

    kind_labels = dict(ProductKind.choices)
    kinds = Counter(row["kind"] for row in rows)
    brands = Counter((row["brand__slug"], row["brand__name"]) for row in rows)
    categories = Counter(row["category_id"] for row in rows)
    phases = Counter(row["phases"] for row in rows if row["phases"] is not None)

    def in_band(value, low, high) -> bool:
        return value is not None and (low is None or value >= low) and (high is None or value <= high)

    def flatten(nodes, parent):
        for node in nodes:
            if node["count"]:
                yield {"value": node["slug"], "label": node["name"], "count": node["count"], "parent": parent}
                yield from flatten(node["children"], node["slug"])

    prices = [row["min_price"] for row in rows]
    stocked = sum(1 for row in rows if row["in_stock"])
    power = []
    for key, low, high in POWER_BANDS:
        count = sum(1 for row in rows if in_band(row["power_w"], low, high))
        if count:
            label = _band_label(low, high, _watts_label)
            power.append({"value": key, "label": label, "min": low, "max": high, "count": count})
    price = []
    for key, low, high in PRICE_BANDS:
        count = sum(1 for value in prices if in_band(value, low, high))
        if count:
            label = _band_label(low, high, _brl_label)
            price.append({"value": key, "label": label, "min": low, "max": high, "count": count})
    return {
        "kind": [
            {"value": kind, "label": str(kind_labels.get(kind, kind)), "count": count}
            for kind, count in sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
        ],
        "brand": [
            {"value": slug, "label": name, "count": count}
            for (slug, name), count in sorted(brands.items(), key=lambda item: (-item[1], item[0][1]))
        ],
        "category": list(flatten(category_tree(counts=dict(categories)), None)),
        "phases": [
            {"value": value, "label": PHASE_WORDS.get(value, str(value)), "count": count}
            for value, count in sorted(phases.items())
        ],
        "power": power,
        "price": price,
        "in_stock": [
            {"value": True, "label": _("in stock"), "count": stocked},
            {"value": False, "label": _("out of stock"), "count": len(rows) - stocked},
        ],
    }

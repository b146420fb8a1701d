"""Hybrid product search: lexical and semantic rankings fused by reciprocal rank fusion.

    score(p) = Σ over rankings 1 / (k + rank(p)),  k = 60

plus two soft boosts:

* completeness, worth two first places (2 / (k + 1)) — the product matched every word of the
  query. RRF alone ranks a product that matched "painel" but not "bifacial" right below the
  bifacial ones, and one semantic vote lifts it above them; a buyer who typed "bifacial"
  wants every bifacial module first, ordered by the rest;
* numeric intents ("5kw", "550w", "5 kwh"), worth up to one first place (1 / (k + 1)) — the
  product's power or energy is within tolerance of the asked value, so "inversor fronius 5kw"
  puts the Fronius Primo 5.0 above the 6.0 without hiding the rest.

Both rankings honour the same ``ProductFilters`` (SQL WHERE and Qdrant payload filter; offer
conditions through the keys the index keeps, see ``ProductFilters.apply_indexed``), and every
candidate is re-read through the exact filters, so a stale vector payload or key can never let
a filtered-out product through.

When Qdrant or the embedder is unavailable the search answers from the lexical ranking alone
and says so (``mode="lexical"`` with the reason); it never fails because of them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from catalog.models import Product
from catalog.search.filters import ProductFilters, id_among
from catalog.search.lexical import lexical_ranking
from catalog.search.query import ParsedQuery, query_parse, vocabulary
from catalog.search.semantic import SemanticHit, SemanticUnavailable, semantic_ranking

logger = logging.getLogger(__name__)

RRF_K = 60
LEXICAL_LIMIT = 100
SEMANTIC_LIMIT = 50
MAX_RESULTS = 100
# Semantic neighbours far below the best one are noise (every query has 50 "nearest" products).
SEMANTIC_RELATIVE_FLOOR = 0.8
# Relative distance from the asked value at which the boost reaches zero.
POWER_TOLERANCE = Decimal("0.10")
ENERGY_TOLERANCE = Decimal("0.25")
VOLTAGE_TOLERANCE = Decimal("0.05")
INTENT_WEIGHT = 1.0 / (RRF_K + 1)
COMPLETE_WEIGHT = 2.0 / (RRF_K + 1)

HYBRID = "hybrid"
LEXICAL = "lexical"


@dataclass(frozen=True)
class SearchOutcome:
    ids: list[int]
    mode: str
    query: ParsedQuery
    degraded_reason: str | None = None
    scores: dict[int, float] = field(default_factory=dict)
    lexical_count: int = 0
    semantic_count: int = 0
    #: The results' ``fields`` (at least ``CANDIDATE_FIELDS``), in ``ids`` order: facets are
    #: computed from them, and a caller asking for its display fields needs no second query.
    rows: list[dict] = field(default_factory=list)


def _closeness(value, target: Decimal | None, tolerance: Decimal) -> float:
    if target is None or value is None or target <= 0:
        return 0.0
    distance = abs(Decimal(value) - target) / target
    return max(0.0, float(1 - distance / tolerance))


CANDIDATE_FIELDS = (
    "id",
    "kind",
    "brand__slug",
    "brand__name",
    "category_id",
    "phases",
    "power_w",
    "energy_wh",
    "voltage_v",
    "min_price",
    "in_stock",
)


def _intent_boost(row: dict, query: ParsedQuery) -> float:
    power_w, energy_wh, voltage_v = row["power_w"], row["energy_wh"], row["voltage_v"]
    closeness = max(
        _closeness(power_w, query.power_w, POWER_TOLERANCE),
        _closeness(energy_wh, query.energy_wh, ENERGY_TOLERANCE),
    )
    if query.voltage_v is not None:
        closeness = max(closeness, _closeness(voltage_v, query.voltage_v, VOLTAGE_TOLERANCE))
    return INTENT_WEIGHT * closeness


def _semantic_kept(hits: list[SemanticHit]) -> list[SemanticHit]:
    if not hits:
        return []
    floor = hits[0].score * SEMANTIC_RELATIVE_FLOOR
    return [hit for hit in hits if hit.score >= floor]


def _intent_ranking(queryset: QuerySet, query: ParsedQuery, limit: int) -> list[int]:
    """A query made only of numbers ("5kw"): the products closest to the asked values."""
    candidates = []
    if query.power_w is not None:
        low, high = query.power_w * (1 - POWER_TOLERANCE), query.power_w * (1 + POWER_TOLERANCE)
        candidates += list(
            queryset.filter(power_w__gte=low, power_w__lte=high).values_list("id", "power_w")[: limit * 2]
        )
        target = query.power_w
    elif query.energy_wh is not None:
        low, high = query.energy_wh * (1 - ENERGY_TOLERANCE), query.energy_wh * (1 + ENERGY_TOLERANCE)
        candidates += list(
            queryset.filter(energy_wh__gte=low, energy_wh__lte=high).values_list("id", "energy_wh")[
                : limit * 2
            ]
        )
        target = query.energy_wh
    else:
        return []
    candidates.sort(key=lambda row: (abs(row[1] - target), row[0]))
    return [row[0] for row in candidates[:limit]]


def products_search(
    *,
    text: str,
    filters: ProductFilters | None = None,
    queryset: QuerySet | None = None,
    limit: int = MAX_RESULTS,
    fields: Sequence[str] = (),
) -> SearchOutcome:
    """Products for the search box ``text`` within ``filters``, best first (at most ``limit``).
    The outcome's ``rows`` carry ``CANDIDATE_FIELDS`` and ``fields``."""
    filters = filters or ProductFilters()
    query = query_parse(text, words=vocabulary())
    source = queryset if queryset is not None else Product.objects.all()
    if query.is_empty:
        return SearchOutcome(ids=[], mode=HYBRID, query=query)

    # The rankings filter offers through the keys the index keeps (as fresh as the vector
    # payload); the candidates are confirmed against the offers below.
    ranked = filters.apply_indexed(source)
    lexical = lexical_ranking(queryset=ranked, query=query, limit=LEXICAL_LIMIT)
    lexical_ids, complete = lexical.ids, lexical.complete
    if not query.terms:
        lexical_ids = _intent_ranking(ranked, query, LEXICAL_LIMIT)

    mode, reason = HYBRID, None
    try:
        semantic = _semantic_kept(semantic_ranking(text=query.raw, filters=filters, limit=SEMANTIC_LIMIT))
    except SemanticUnavailable as exc:
        logger.warning("semantic search unavailable, answering lexically: %s", exc)
        semantic, mode, reason = [], LEXICAL, str(exc)

    fused: dict[int, float] = {}
    for rank, product_id in enumerate(lexical_ids, start=1):
        fused[product_id] = fused.get(product_id, 0.0) + 1.0 / (RRF_K + rank)
    for rank, hit in enumerate(semantic, start=1):
        fused[hit.product_id] = fused.get(hit.product_id, 0.0) + 1.0 / (RRF_K + rank)
    if not fused:
        return SearchOutcome(ids=[], mode=mode, query=query, degraded_reason=reason)

    # One query confirms every candidate against the SQL filters (the vector payload may be a
    # sync behind) and reads what the numeric intents compare, the facets count and the
    # caller shows (at most LEXICAL_LIMIT + SEMANTIC_LIMIT rows).
    columns = dict.fromkeys((*CANDIDATE_FIELDS, *fields))
    candidates = list(fused)
    confirmed = filters.apply(source.filter(id_among("id", candidates)), among=candidates)
    rows = {row["id"]: row for row in confirmed.order_by().values(*columns)}
    scores: dict[int, float] = {}
    has_intents = query.has_intents
    for product_id, row in rows.items():
        score = fused[product_id] + (COMPLETE_WEIGHT if product_id in complete else 0.0)
        scores[product_id] = score + (_intent_boost(row, query) if has_intents else 0.0)
    lexical_position = {product_id: i for i, product_id in enumerate(lexical_ids)}
    ordered = sorted(
        scores, key=lambda pid: (-scores[pid], lexical_position.get(pid, len(lexical_position)), pid)
    )[:limit]
    return SearchOutcome(
        ids=ordered,
        mode=mode,
        query=query,
        degraded_reason=reason,
        scores={pid: round(scores[pid], 6) for pid in ordered},
        lexical_count=len(lexical_ids),
        semantic_count=len(semantic),
        rows=[rows[pid] for pid in ordered],
    )

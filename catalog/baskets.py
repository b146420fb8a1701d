"""Baskets — sets of products bought (or sold) together — and the product associations mined
from them, which feed "frequently bought together" on the product page.

Basket sources
--------------
A basket source is a callable with no arguments that yields ``Basket(items, weight, on)``:
``items`` the catalog product ids in the basket (a set: quantities do not matter), ``weight``
how much the basket counts (1.0 = one basket), ``on`` the date it happened (``None``: current).
Sources are registered by name; ``product_associations_refresh`` reads every registered source.

* ``"kits"`` (registered below, by the catalog): every active kit ("gerador") is a basket of its
  components — the modules, inverter, structure, string box and cables a distributor sells
  together — dated by the last time a distributor listed it. The kit product itself is left out:
  a kit is not bought *with* its parts, it *is* them.
* ``"orders"`` — the orders app plugs its order lines in from its own ``AppConfig.ready()``,
  without any change here (the dependency points orders → catalog, as it should)::

      from catalog.baskets import Basket, basket_source_register

      def order_baskets():
          # one basket per paid order: the catalog products of its lines
          for paid_on, product_ids in selectors.paid_order_products():
              yield Basket(items=frozenset(product_ids), weight=1.0, on=paid_on)

      basket_source_register("orders", order_baskets)

  An order is stronger evidence of a real co-purchase than a distributor's kit composition;
  if kits drown the orders out, give order baskets a larger ``weight``.

Measures
--------
With N the total weight of the baskets, w(A) the weight of the baskets holding A and w(A, B) of
those holding both:

* ``support(A, B) = w(A, B) / N`` — how common the pair is;
* ``confidence(A → B) = w(A, B) / w(A)`` — of the baskets with A, the share that also hold B;
* ``lift(A, B) = w(A, B) · N / (w(A) · w(B))`` — how many times more often A and B meet than
  they would if independent. A cable that goes into every kit has a high confidence with
  everything and a lift of about 1: it says nothing about *this* product, so it is left out.

Thresholds (``ASSOCIATION_THRESHOLDS``, each overridable by a ``CATALOG_ASSOCIATION_*`` setting):

* ``lift > 1`` — only pairs that attract each other;
* at least ``min_baskets`` (2) distinct baskets hold the pair — one kit or one order is an
  anecdote, not a pattern;
* ``support ≥ min_support`` (0.0001, one basket in 10,000) — the relative floor that keeps the
  table bounded as baskets pile up: a basket of k items makes k(k-1)/2 pairs, so at most
  (mean pairs per basket) / min_support pairs can clear it (a few hundred thousand rows at most),
  while on today's few thousand kits it is below the absolute floor and changes nothing;
* ``per_product`` (20) — only the best rows per product are kept (by confidence, then lift);
* baskets over ``max_basket_items`` (60) distinct products are skipped: a restock order of a
  whole warehouse says nothing about what goes together, and would add thousands of pairs;
* baskets dated more than ``window_days`` (730) ago are skipped.

The computation streams baskets into two weight tables (per product and per pair) in Python,
then replaces every ``ProductAssociation`` row in one transaction (readers keep seeing the
previous rows until it commits). ``catalog.tasks.enrich_product_associations`` runs it nightly
(``ysh/beat.py``), after the 02:00 import.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from catalog.models import KitComponent, Product, ProductAssociation
from catalog.models.taxonomy import ProductKind

logger = logging.getLogger(__name__)

#: Rows written per INSERT.
WRITE_BATCH = 2000
#: Product ids checked per query (SQLite's bound-parameter limit is far above).
ID_CHUNK = 5000


@dataclass(frozen=True)
class Basket:
    items: frozenset[int]
    weight: float = 1.0
    on: date | None = None


BasketSource = Callable[[], Iterable[Basket]]
_SOURCES: dict[str, BasketSource] = {}


def basket_source_register(name: str, source: BasketSource) -> None:
    """Add (or replace, by name) a basket source read by every refresh."""
    _SOURCES[name] = source


def basket_source_unregister(name: str) -> None:
    _SOURCES.pop(name, None)


def basket_sources() -> dict[str, BasketSource]:
    return dict(_SOURCES)


def kit_baskets() -> Iterator[Basket]:
    """Every active kit's components, dated by when a distributor last listed the kit."""
    kits = Product.objects.filter(kind=ProductKind.KIT, is_active=True)
    dated = {
        kit_id: timezone.localdate(seen or updated)
        for kit_id, seen, updated in kits.annotate(
            seen=Max("offers__last_seen_at", filter=Q(offers__is_active=True))
        ).values_list("id", "seen", "updated_at")
    }
    rows = (
        KitComponent.objects.filter(kit__kind=ProductKind.KIT, kit__is_active=True)
        .order_by("kit_id", "component_id")
        .values_list("kit_id", "component_id")
        .iterator(chunk_size=10_000)
    )
    for kit_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield Basket(items=frozenset(component_id for _, component_id in group), on=dated.get(kit_id))


basket_source_register("kits", kit_baskets)


@dataclass(frozen=True)
class AssociationThresholds:
    min_lift: float = 1.0
    min_baskets: int = 2
    min_support: float = 0.0001
    per_product: int = 20
    max_basket_items: int = 60
    window_days: int = 730


def association_thresholds() -> AssociationThresholds:
    defaults = AssociationThresholds()
    return AssociationThresholds(
        **{
            name: getattr(settings, f"CATALOG_ASSOCIATION_{name.upper()}", value)
            for name, value in asdict(defaults).items()
        }
    )


@dataclass(frozen=True)
class Association:
    product_id: int
    other_id: int
    support: float
    confidence: float
    lift: float
    baskets: int


@dataclass
class AssociationStats:
    baskets: int = 0  # baskets counted
    skipped: int = 0  # empty, too big or too old
    total_weight: float = 0.0
    products: int = 0  # distinct products seen
    pairs: int = 0  # distinct pairs seen
    pairs_kept: int = 0  # pairs clearing the thresholds (before the per-product cut)
    rows: int = 0  # rows written
    sources: dict[str, int] = field(default_factory=dict)  # baskets counted per source
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def associations_mine(
    baskets: Iterable[Basket],
    *,
    thresholds: AssociationThresholds | None = None,
    today: date | None = None,
    stats: AssociationStats | None = None,
) -> list[Association]:
    """Both directions of every pair that clears the thresholds, best first per product."""
    limits = thresholds or association_thresholds()
    stats = stats if stats is not None else AssociationStats()
    oldest = (today or timezone.localdate()) - timedelta(days=limits.window_days)
    item_weight: dict[int, float] = defaultdict(float)
    pair_weight: dict[tuple[int, int], float] = defaultdict(float)
    pair_count: dict[tuple[int, int], int] = defaultdict(int)
    total = 0.0
    for basket in baskets:
        items = sorted(basket.items)
        if (
            not items
            or basket.weight <= 0
            or len(items) > limits.max_basket_items
            or (basket.on is not None and basket.on < oldest)
        ):
            stats.skipped += 1
            continue
        stats.baskets += 1
        weight = float(basket.weight)
        total += weight
        for item in items:
            item_weight[item] += weight
        for pair in itertools.combinations(items, 2):
            pair_weight[pair] += weight
            pair_count[pair] += 1
    stats.total_weight = total
    stats.products = len(item_weight)
    stats.pairs = len(pair_weight)
    if not total:
        return []
    best: dict[int, list[tuple[float, float, int, Association]]] = defaultdict(list)
    for (a, b), together in pair_weight.items():
        count = pair_count[(a, b)]
        support = together / total
        if count < limits.min_baskets or support < limits.min_support:
            continue
        lift = together * total / (item_weight[a] * item_weight[b])
        # Relative tolerance: a pair exactly as common as chance must not pass on rounding.
        if lift <= limits.min_lift * (1 + 1e-9):
            continue
        stats.pairs_kept += 1
        for product, other in ((a, b), (b, a)):
            confidence = together / item_weight[product]
            row = Association(product, other, support, confidence, lift, count)
            best[product].append((confidence, lift, -other, row))
    out: list[Association] = []
    for product in sorted(best):
        out += [entry[-1] for entry in heapq.nlargest(limits.per_product, best[product])]
    return out


def _sourced_baskets(sources: dict[str, BasketSource], stats: AssociationStats) -> Iterator[Basket]:
    for name, source in sources.items():
        count = 0
        for basket in source():
            count += 1
            yield basket
        stats.sources[name] = count


def _active_ids(ids: set[int]) -> set[int]:
    ordered, active = sorted(ids), set()
    for start in range(0, len(ordered), ID_CHUNK):
        chunk = ordered[start : start + ID_CHUNK]
        active.update(Product.objects.filter(id__in=chunk, is_active=True).values_list("id", flat=True))
    return active


def product_associations_refresh(
    *,
    sources: dict[str, BasketSource] | None = None,
    thresholds: AssociationThresholds | None = None,
    now: datetime | None = None,
) -> AssociationStats:
    """Recompute every product association from the baskets of ``sources`` (default: every
    registered source) and replace the table's rows atomically. Safe to run twice or at the same
    time: each run writes a complete table and the last one to commit wins."""
    started = time.perf_counter()
    now = now or timezone.now()
    stats = AssociationStats()
    chosen = basket_sources() if sources is None else sources
    mined = associations_mine(
        _sourced_baskets(chosen, stats),
        thresholds=thresholds,
        today=timezone.localdate(now),
        stats=stats,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Serializes concurrent refreshes (the second waits, then replaces the first's rows)
            # without blocking readers; SQLite serializes writers by itself.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {ProductAssociation._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        # Only products still active (a source may name a product delisted since).
        active = _active_ids({a.product_id for a in mined} | {a.other_id for a in mined})
        rows = [
            ProductAssociation(
                product_id=a.product_id,
                other_id=a.other_id,
                support=a.support,
                confidence=a.confidence,
                lift=a.lift,
                baskets=a.baskets,
                computed_at=now,
            )
            for a in mined
            if a.product_id in active and a.other_id in active
        ]
        ProductAssociation.objects.all().delete()
        ProductAssociation.objects.bulk_create(rows, batch_size=WRITE_BATCH)
    stats.rows = len(rows)
    stats.seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "product associations: %s baskets (%s skipped), %s pairs, %s kept, %s rows in %.1fs",
        stats.baskets,
        stats.skipped,
        stats.pairs,
        stats.pairs_kept,
        stats.rows,
        stats.seconds,
    )
    return stats


__all__ = [
    "Association",
    "AssociationStats",
    "AssociationThresholds",
    "Basket",
    "association_thresholds",
    "associations_mine",
    "basket_source_register",
    "basket_source_unregister",
    "basket_sources",
    "kit_baskets",
    "product_associations_refresh",
]

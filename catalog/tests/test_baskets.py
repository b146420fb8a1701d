"""Frequently bought together: baskets from kits (and any registered source), support /
confidence / lift computed by hand, the thresholds, the atomic refresh, the nightly task and
the read-only admin."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.baskets import (
    AssociationStats,
    AssociationThresholds,
    Basket,
    associations_mine,
    basket_source_register,
    basket_source_unregister,
    basket_sources,
    kit_baskets,
    product_associations_refresh,
)
from catalog.models import Product, ProductAssociation
from catalog.models.taxonomy import ProductKind as K
from catalog.recommendations import Source, frequently_bought_together
from catalog.tasks import enrich_product_associations
from catalog.tests.factories import KitComponentFactory, OfferFactory, ProductFactory
from ysh.beat import SCHEDULE
from ysh.users.tests.factories import UserFactory

M, V, S, C, X, Y = 1, 2, 3, 4, 5, 6  # module, inverter (V), structure, cable, string box, a rarity

# Eight baskets; the counts below are read off this table by hand.
#   w(M)=5 (b1 b2 b3 b4 b8)  w(V)=3 (b1 b2 b3)  w(S)=4 (b1 b2 b5 b6)  w(C)=4 (b3 b4 b5 b6)
#   w(X)=2 (b6 b7)           w(Y)=1 (b8)        N = 8
BASKETS = [
    {M, V, S},  # b1
    {M, V, S},  # b2
    {M, V, C},  # b3
    {M, C},  # b4
    {S, C},  # b5
    {S, C, X},  # b6
    {X},  # b7: one product alone still counts in N and in w(X)
    {M, Y},  # b8
]


def baskets(sets=BASKETS, **kwargs):
    return [Basket(items=frozenset(items), **kwargs) for items in sets]


def by_pair(rows):
    return {(row.product_id, row.other_id): row for row in rows}


# --- the measures, by hand ----------------------------------------------------------------


def test_support_confidence_and_lift_match_the_hand_computed_values():
    # when
    rows = by_pair(associations_mine(baskets()))

    # then only (M, V) and (V, S) attract each other in at least two baskets:
    #   (M, V) in b1 b2 b3: support 3/8, conf M→V 3/5, V→M 3/3, lift 3·8 / (5·3) = 1.6
    #   (V, S) in b1 b2:    support 2/8, conf V→S 2/3, S→V 2/4, lift 2·8 / (3·4) = 4/3
    # and the others fail a threshold:
    #   (M, S), (M, C): lift 2·8 / (5·4) = 0.8 < 1;  (S, C): 2·8 / (4·4) = 1.0, not > 1;
    #   (M, Y): lift 1·8 / (5·1) = 1.6 but one basket only;  (V, C), (S, X), (C, X): one basket
    assert set(rows) == {(M, V), (V, M), (V, S), (S, V)}
    m_i, i_m, i_s, s_i = rows[(M, V)], rows[(V, M)], rows[(V, S)], rows[(S, V)]
    assert m_i.support == i_m.support == pytest.approx(3 / 8)
    assert m_i.confidence == pytest.approx(3 / 5) and i_m.confidence == pytest.approx(1.0)
    assert m_i.lift == i_m.lift == pytest.approx(1.6)
    assert m_i.baskets == 3
    assert i_s.support == pytest.approx(2 / 8)
    assert i_s.confidence == pytest.approx(2 / 3) and s_i.confidence == pytest.approx(2 / 4)
    assert i_s.lift == pytest.approx(4 / 3)
    assert i_s.baskets == 2


def test_rows_of_a_product_come_best_confidence_first():
    rows = [row for row in associations_mine(baskets()) if row.product_id == V]

    # V→M (confidence 1) before V→S (2/3)
    assert [row.other_id for row in rows] == [M, S]


def test_thresholds_min_support_min_baskets_and_per_product():
    # a support floor of 0.3 drops (V, S) at 0.25 and keeps (M, V) at 0.375
    strict = by_pair(associations_mine(baskets(), thresholds=AssociationThresholds(min_support=0.3)))
    assert set(strict) == {(M, V), (V, M)}

    # one basket is enough when min_baskets is 1: (M, Y) (lift 1.6) appears; (S, X) (lift 1) not
    loose = by_pair(associations_mine(baskets(), thresholds=AssociationThresholds(min_baskets=1)))
    assert (M, Y) in loose and loose[(Y, M)].confidence == pytest.approx(1.0)
    assert (S, X) not in loose and (S, C) not in loose

    # one row per product keeps V's best only
    top = associations_mine(baskets(), thresholds=AssociationThresholds(per_product=1))
    assert [row.other_id for row in top if row.product_id == V] == [M]


def test_weights_count_in_support_and_confidence_but_not_in_the_basket_count():
    # given A+B three times over, A+B once, A alone twice over, C twice over: N = 3+1+2+2 = 8
    weighted = [
        Basket(frozenset({1, 2}), weight=3),
        Basket(frozenset({1, 2}), weight=1),
        Basket(frozenset({1}), weight=2),
        Basket(frozenset({3}), weight=2),
    ]

    # when
    rows = by_pair(associations_mine(weighted))

    # then w(A)=6, w(B)=4, w(A,B)=4
    assert rows[(1, 2)].support == pytest.approx(4 / 8)
    assert rows[(1, 2)].confidence == pytest.approx(4 / 6)
    assert rows[(2, 1)].confidence == pytest.approx(4 / 4)
    assert rows[(1, 2)].lift == pytest.approx(4 * 8 / (6 * 4))
    assert rows[(1, 2)].baskets == 2


def test_old_huge_and_empty_baskets_are_skipped():
    today = date(2026, 11, 23)
    limits = AssociationThresholds(window_days=30, max_basket_items=3)
    old = today - timedelta(days=31)
    stats = AssociationStats()
    given = [
        *baskets(on=today),
        Basket(frozenset({M, V}), on=old),  # too old: would make (M, V) 4 baskets
        Basket(frozenset({M, V, S, C})),  # 4 items > 3
        Basket(frozenset()),
    ]

    rows = by_pair(associations_mine(given, thresholds=limits, today=today, stats=stats))

    # then the figures are those of the eight baskets alone
    assert stats.baskets == 8 and stats.skipped == 3 and stats.total_weight == 8
    assert rows[(M, V)].baskets == 3 and rows[(M, V)].lift == pytest.approx(1.6)


def test_no_baskets_no_associations():
    assert associations_mine([]) == []


# --- kits as baskets, written to the table --------------------------------------------------


def kit(*components, active=True, seen_days_ago=0):
    product = ProductFactory(kind=K.KIT, specs={"power_kwp": 5.5}, is_active=active)
    for component in components:
        KitComponentFactory(kit=product, component=component, quantity=2)
    OfferFactory(product=product, last_seen_at=timezone.now() - timedelta(days=seen_days_ago))
    return product


@pytest.fixture
def kits(db):
    """Four active kits and one inactive; hand-counted:
    N = 4; w(m)=2, w(i)=2, w(s)=3, w(c)=4, w(m2)=2, w(i2)=2."""
    m, m2 = ProductFactory(kind=K.MODULE), ProductFactory(kind=K.MODULE)
    i, i2 = ProductFactory(kind=K.INVERTER), ProductFactory(kind=K.INVERTER)
    s, c = ProductFactory(kind=K.STRUCTURE), ProductFactory(kind=K.CABLE)
    kit(m, i, s, c)
    kit(m, i, s, c)
    kit(m2, i2, c)
    kit(m2, i2, s, c)
    kit(m, i2, active=False)  # not listed any more: not a basket
    return {"m": m, "i": i, "s": s, "c": c, "m2": m2, "i2": i2}


def test_kit_baskets_are_the_components_of_active_kits(kits):
    got = sorted(sorted(basket.items) for basket in kit_baskets())

    p = kits
    expected = [
        sorted({p["m"].id, p["i"].id, p["s"].id, p["c"].id}),
        sorted({p["m"].id, p["i"].id, p["s"].id, p["c"].id}),
        sorted({p["m2"].id, p["i2"].id, p["c"].id}),
        sorted({p["m2"].id, p["i2"].id, p["s"].id, p["c"].id}),
    ]
    assert got == sorted(expected)
    assert all(basket.on == timezone.localdate() for basket in kit_baskets())


def test_refresh_stores_the_associations_of_the_kits(kits):
    p = {name: product.id for name, product in kits.items()}

    # when
    stats = product_associations_refresh()

    # then (m, i): 2 kits, lift 2·4 / (2·2) = 2, confidence 1 both ways;
    # (m, s) and (i, s): 2 kits, lift 2·4 / (2·3) = 4/3, confidence 1 towards s, 2/3 back;
    # (m2, i2): 2 kits, lift 2; the cable is in every kit: lift 1 with everything, no row
    rows = {(a.product_id, a.other_id): a for a in ProductAssociation.objects.all()}
    pairs = [("m", "i"), ("m", "s"), ("i", "s"), ("m2", "i2")]
    assert set(rows) == {(p[a], p[b]) for a, b in pairs} | {(p[b], p[a]) for a, b in pairs}
    assert rows[(p["m"], p["i"])].lift == pytest.approx(2.0)
    assert rows[(p["m"], p["i"])].support == pytest.approx(2 / 4)
    assert rows[(p["m"], p["s"])].confidence == pytest.approx(1.0)
    assert rows[(p["s"], p["m"])].confidence == pytest.approx(2 / 3)
    assert rows[(p["s"], p["m"])].lift == pytest.approx(4 / 3)
    assert rows[(p["m2"], p["i2"])].baskets == 2
    assert not any(p["c"] in pair for pair in rows)
    assert stats.rows == 8 and stats.sources["kits"] == 4 and stats.baskets == 4


def test_bought_together_reads_the_best_first_with_the_figures(kits):
    product_associations_refresh()

    result = frequently_bought_together(product_id=kits["m"].id)

    # confidence 1 for both i and s: the higher lift (i: 2 > s: 4/3) comes first
    assert result.source == Source.BASKETS
    assert result.product_ids == [kits["i"].id, kits["s"].id]
    assert result.items[0].details == {"support": 0.5, "confidence": 1.0, "lift": 2.0, "baskets": 2}


def test_a_refresh_replaces_every_row_and_skips_inactive_products(kits):
    # given associations computed once
    product_associations_refresh(now=timezone.now() - timedelta(days=1))
    before = set(ProductAssociation.objects.values_list("id", flat=True))

    # when the inverter i2 is delisted and the associations are computed again
    Product.objects.filter(id=kits["i2"].id).update(is_active=False)
    later = timezone.now()
    product_associations_refresh(now=later)

    # then the old rows are gone, the new ones carry the new time, and none names i2
    rows = list(ProductAssociation.objects.all())
    assert not before & {row.id for row in rows}
    assert rows and all(row.computed_at == later for row in rows)
    assert not any(kits["i2"].id in (row.product_id, row.other_id) for row in rows)
    assert frequently_bought_together(product_id=kits["m2"].id).items == []


def test_a_registered_source_is_read_with_the_kits(kits):
    # given the orders app's hook: a source registered by name (two orders of m with c2)
    c2 = ProductFactory(kind=K.CABLE)
    orders = [frozenset({kits["m"].id, c2.id}), frozenset({kits["m"].id, c2.id})]
    basket_source_register("test-orders", lambda: (Basket(items=o, on=timezone.localdate()) for o in orders))
    try:
        assert "kits" in basket_sources() and "test-orders" in basket_sources()

        # when
        stats = product_associations_refresh()
    finally:
        basket_source_unregister("test-orders")

    # then N = 4 kits + 2 orders = 6, w(m) = 4, w(c2) = 2, together 2: lift 2·6 / (4·2) = 1.5
    row = ProductAssociation.objects.get(product=kits["m"], other=c2)
    assert row.lift == pytest.approx(1.5) and row.confidence == pytest.approx(2 / 4)
    assert stats.sources == {"kits": 4, "test-orders": 2}
    assert "test-orders" not in basket_sources()


def test_the_nightly_task_refreshes_and_is_scheduled_after_the_import(kits):
    # when the task runs (eagerly in tests), twice
    first = enrich_product_associations.delay().get()
    second = enrich_product_associations.delay().get()

    # then the same table both times
    assert first["rows"] == second["rows"] == ProductAssociation.objects.count() == 8
    entry = SCHEDULE["catalog.associations_refresh"]
    assert entry.task == "catalog.tasks.enrich_product_associations"
    assert (int(entry.hour), int(entry.minute)) > (
        int(SCHEDULE["catalog.distributors_sync"].hour),
        int(SCHEDULE["catalog.distributors_sync"].minute),
    )


# --- admin ----------------------------------------------------------------------------------


def test_admin_lists_associations_read_only_with_flat_queries(kits, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    product_associations_refresh()
    url = reverse("admin:catalog_productassociation_changelist")

    counts = []
    for params in ({"product__kind__exact": K.MODULE}, {}):  # 4 rows, then all 8
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        counts.append(len(queries))
    html = response.content.decode()
    assert kits["m"].name in html and "100.0 %" in html  # m→i: confidence 1
    assert counts[0] == counts[1], counts
    searched = client.get(url, {"q": kits["m2"].model_code}).content.decode()
    assert kits["i2"].name in searched and kits["s"].name not in searched
    row = ProductAssociation.objects.first()
    change = client.get(reverse("admin:catalog_productassociation_change", args=[row.id]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    assert client.get(reverse("admin:catalog_productassociation_add")).status_code == 403

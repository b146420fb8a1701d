"""The storefront's product filters, applied identically in SQL and in the vector index.

``ProductFilters`` is what the API's FilterSet and the portal's form produce once the raw query
string is validated. ``apply`` narrows a Product queryset; ``qdrant_filter`` expresses the same
conditions over the payload ``catalog.search.index`` writes, so a hybrid search never asks the
vector index for products the SQL side would throw away.

Offer-level conditions (distributor, buyer's state, stock there) hold for the SAME offer: with
``distributor=odex&state=SP&in_stock=true`` a product matches when Odex has it in stock in a
warehouse in SP, not when Odex sells it somewhere and someone else stocks it in SP.

``apply`` checks them against the offers themselves (an ``EXISTS`` per product). Ranking a
search over thousands of matches cannot afford that, so on PostgreSQL ``apply_indexed`` reads
what the vector payload carries from the product instead: the states where it is offered
(``offer_states``) or in stock (``stock_states``, the pipeline's), and for a distributor the
payload's keys (``offer_keys``/``stock_keys``) — migration 0005, written by ``products_index``.
As fresh as the vector payload, so a search confirms its candidates with
``apply(..., among=ids)``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Exists, F, Lookup, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from qdrant_client import models as qm

from catalog.models import Offer

# Payload keys describing where a product can be bought (see ``offer_keys``).
ANY = "any"


def offer_key(*, distributor_id: int | None, state: str | None) -> str:
    """The payload token for "an active offer from this distributor and/or this state"."""
    if distributor_id and state:
        return f"ds:{distributor_id}:{state}"
    if distributor_id:
        return f"d:{distributor_id}"
    if state:
        return f"s:{state}"
    return ANY


def offer_keys(offers: list[tuple[int, str, int]]) -> tuple[list[str], list[str]]:
    """(offer keys, stock keys) of a product from its active offers as (distributor_id, state,
    stock) — every key a filter could ask for, so one MatchValue answers it."""
    available: set[str] = set()
    stocked: set[str] = set()
    for distributor_id, state, stock in offers:
        keys = {
            ANY,
            offer_key(distributor_id=distributor_id, state=None),
            offer_key(distributor_id=None, state=state),
            offer_key(distributor_id=distributor_id, state=state),
        }
        available |= keys
        if stock > 0:
            stocked |= keys
    return sorted(available), sorted(stocked)


class _AnyOf(Lookup):
    """``field = ANY(%s)`` with the ids as one array parameter (PostgreSQL): a search's hundred
    candidate ids as a single value instead of a hundred placeholders, which psycopg would
    re-parse on every query (too long for its statement cache)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]


def id_among(field: str, ids: Collection[int]) -> Q | Lookup:
    """``field IN ids`` as a filter argument; one array parameter on PostgreSQL."""
    if connection.vendor == "postgresql":
        return _AnyOf(F(field), [int(i) for i in ids])
    return Q(**{f"{field}__in": list(ids)})


# Containment (``@>``): the form the GIN indexes serve and the lexical pool index carries.
def _offered(key: str) -> Q:
    return Q(RawSQL('"catalog_product"."offer_keys" @> ARRAY[%s]', [key], output_field=BooleanField()))


def _stocked(key: str) -> Q:
    return Q(RawSQL('"catalog_product"."stock_keys" @> ARRAY[%s]', [key], output_field=BooleanField()))


def _offered_in(state: str) -> Q:
    return Q(RawSQL('"catalog_product"."offer_states" @> ARRAY[%s]', [state], output_field=BooleanField()))


def _stocked_in(state: str) -> Q:
    return Q(stock_states__contains=[state])


@dataclass(frozen=True)
class ProductFilters:
    kinds: tuple[str, ...] = ()
    #: The chosen category and every category below it.
    category_id: int | None = None
    category_ids: tuple[int, ...] = ()
    brand_ids: tuple[int, ...] = ()
    distributor_id: int | None = None
    power_min: Decimal | None = None
    power_max: Decimal | None = None
    energy_min: Decimal | None = None
    energy_max: Decimal | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    phases: int | None = None
    voltage_v: int | None = None
    in_stock: bool | None = None
    state: str | None = None
    exclude_ids: tuple[int, ...] = field(default=())

    def cache_parts(self) -> dict:
        """The filter values as a flat dict for cache keys (``asdict`` deep-copies: slower)."""
        return dict(self.__dict__)

    @property
    def has_offer_conditions(self) -> bool:
        return bool(self.distributor_id or self.state)

    def apply(self, queryset: QuerySet, *, among: Collection[int] | None = None) -> QuerySet:
        """``queryset`` narrowed to these filters, offer conditions checked against the offers.
        ``among``: the caller only reads these product ids, so the offer check only needs their
        offers (a re-read of a hundred search candidates stays a hundred index probes instead
        of a pass over every offer of a state)."""
        queryset = self._apply_product_conditions(queryset)
        if self.has_offer_conditions:
            offers = Offer.objects.filter(product=OuterRef("pk"), is_active=True)
            if among is not None:
                offers = offers.filter(id_among("product_id", among))
            if self.distributor_id:
                offers = offers.filter(distributor_id=self.distributor_id)
            if self.state:
                offers = offers.filter(warehouse__state=self.state)
            if self.in_stock is True:
                queryset = queryset.filter(Exists(offers.filter(stock__gt=0)))
            elif self.in_stock is False:
                queryset = queryset.filter(Exists(offers)).exclude(Exists(offers.filter(stock__gt=0)))
            else:
                queryset = queryset.filter(Exists(offers))
        elif self.in_stock is not None:
            queryset = queryset.filter(in_stock=self.in_stock)
        return queryset

    def apply_indexed(self, queryset: QuerySet) -> QuerySet:
        """Like ``apply``, but on PostgreSQL the offer conditions read the product's key arrays
        kept by the search index (as fresh as the vector payload) instead of its offers. For
        rankings whose results are confirmed with ``apply`` afterwards."""
        if not self.has_offer_conditions or connection.vendor != "postgresql":
            return self.apply(queryset)
        queryset = self._apply_product_conditions(queryset)
        if self.distributor_id:
            key = offer_key(distributor_id=self.distributor_id, state=self.state)
            offered, stocked = _offered(key), _stocked(key)
        else:  # the state alone: the bounded lists the lexical pool index carries
            offered, stocked = _offered_in(self.state), _stocked_in(self.state)
        if self.in_stock is True:
            return queryset.filter(stocked)
        queryset = queryset.filter(offered)
        if self.in_stock is False:
            queryset = queryset.exclude(stocked)
        return queryset

    def _apply_product_conditions(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.filter(is_active=True)
        if self.kinds:
            queryset = queryset.filter(kind__in=self.kinds)
        if self.category_id is not None:
            queryset = queryset.filter(category_id__in=self.category_ids or (self.category_id,))
        if self.brand_ids:
            queryset = queryset.filter(brand_id__in=self.brand_ids)
        if self.power_min is not None:
            queryset = queryset.filter(power_w__gte=self.power_min)
        if self.power_max is not None:
            queryset = queryset.filter(power_w__lte=self.power_max)
        if self.energy_min is not None:
            queryset = queryset.filter(energy_wh__gte=self.energy_min)
        if self.energy_max is not None:
            queryset = queryset.filter(energy_wh__lte=self.energy_max)
        if self.price_min is not None:
            queryset = queryset.filter(min_price__gte=self.price_min)
        if self.price_max is not None:
            queryset = queryset.filter(min_price__lte=self.price_max)
        if self.phases is not None:
            queryset = queryset.filter(phases=self.phases)
        if self.voltage_v is not None:
            queryset = queryset.filter(voltage_v=self.voltage_v)
        if self.exclude_ids:
            queryset = queryset.exclude(id__in=self.exclude_ids)
        return queryset

    def qdrant_filter(self) -> qm.Filter | None:
        must: list[qm.Condition] = []
        must_not: list[qm.Condition] = []

        def match(key: str, value) -> qm.FieldCondition:
            if isinstance(value, list | tuple):
                return qm.FieldCondition(key=key, match=qm.MatchAny(any=list(value)))
            return qm.FieldCondition(key=key, match=qm.MatchValue(value=value))

        def between(key: str, low: Decimal | None, high: Decimal | None) -> None:
            if low is not None or high is not None:
                must.append(
                    qm.FieldCondition(
                        key=key,
                        range=qm.Range(
                            gte=float(low) if low is not None else None,
                            lte=float(high) if high is not None else None,
                        ),
                    )
                )

        if self.kinds:
            must.append(match("kind", list(self.kinds)))
        if self.category_id is not None:
            # The payload lists the product's category and all its ancestors.
            must.append(match("category_ids", self.category_id))
        if self.brand_ids:
            must.append(match("brand_id", list(self.brand_ids)))
        between("power_w", self.power_min, self.power_max)
        between("energy_wh", self.energy_min, self.energy_max)
        between("min_price", self.price_min, self.price_max)
        if self.phases is not None:
            must.append(match("phases", self.phases))
        if self.voltage_v is not None:
            must.append(match("voltage_v", self.voltage_v))
        if self.exclude_ids:
            must_not.append(qm.HasIdCondition(has_id=list(self.exclude_ids)))
        if self.has_offer_conditions:
            key = offer_key(distributor_id=self.distributor_id, state=self.state)
            if self.in_stock is True:
                must.append(match("stock_keys", key))
            else:
                must.append(match("offer_keys", key))
                if self.in_stock is False:
                    must_not.append(match("stock_keys", key))
        elif self.in_stock is not None:
            must.append(match("in_stock", self.in_stock))
        if not must and not must_not:
            return None
        return qm.Filter(must=must or None, must_not=must_not or None)

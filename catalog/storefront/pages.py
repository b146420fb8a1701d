"""One page of the product list or of the search results, as the API and the portal show it.

Both are memoized for a minute per (filters, ordering, page) in the shared cache and dropped at
every index generation (``catalog.search.cache``): the list's hot path is then one cache read,
and a repeated search skips the full-text ranking, the embedding and Qdrant. Prices and stock
in lists can thus lag an import by the time the index task takes (the product page's offers
are always read live). Degraded (lexical-only) search answers are not cached, so a recovered
Qdrant is used again at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from catalog.models import Product
from catalog.search.cache import cache_key
from catalog.search.filters import ProductFilters, id_among
from catalog.search.hybrid import HYBRID, products_search
from catalog.storefront.facets import FACETS_NAMESPACE, facets_from_rows, product_facets_cached
from catalog.storefront.listing import (
    LIST_FIELDS,
    kind_label_map,
    product_row,
    product_rows,
    products_ordered,
)

LIST_TTL = 60
SEARCH_TTL = 60


class PageOutOfRange(Exception):
    pass


def product_list_page(
    *, filters: ProductFilters, ordering: str | None, page: int, page_size: int
) -> dict[str, Any]:
    """{"count", "results", "facets"} of one list page. Raises PageOutOfRange past the end."""
    key = filters.cache_parts()
    offset = (page - 1) * page_size
    facets_key = cache_key(FACETS_NAMESPACE, key)
    rows_key = cache_key("list", {"filters": key, "ordering": ordering, "offset": offset, "size": page_size})
    found = cache.get_many([facets_key, rows_key])  # the hot path: one round trip
    if facets_key in found:
        count, facets = found[facets_key]
    else:
        count, facets = product_facets_cached(filters.apply(Product.objects.all()), key_parts=key)
    if page > 1 and offset >= count:
        raise PageOutOfRange
    rows = found.get(rows_key)
    if rows is None:
        queryset = products_ordered(filters.apply(Product.objects.all()), ordering)
        rows = product_rows(queryset[offset : offset + page_size])
        cache.set(rows_key, rows, LIST_TTL)
    return {"count": count, "results": rows, "facets": facets}


@dataclass(frozen=True)
class SearchPage:
    count: int
    results: list[dict[str, Any]]
    facets: dict[str, Any]
    mode: str
    degraded_reason: str | None
    query: dict[str, Any]


def _search_page(
    text: str, filters: ProductFilters, ordering: str | None, page: int, page_size: int
) -> SearchPage:
    # The search re-reads its candidates with the list's columns: the page rows need no query.
    outcome = products_search(text=text, filters=filters, fields=LIST_FIELDS)
    ids = outcome.ids
    if ordering and ids:
        # The search confirmed these ids against the filters already.
        ordered = products_ordered(Product.objects.filter(id_among("id", ids)), ordering)
        ids = list(ordered.values_list("id", flat=True))
    offset = (page - 1) * page_size
    if page > 1 and offset >= len(ids):
        raise PageOutOfRange
    by_id = dict(zip(outcome.ids, outcome.rows, strict=True))
    today = timezone.localdate()
    labels = kind_label_map()
    rows = []
    for product_id in ids[offset : offset + page_size]:
        row = product_row(by_id[product_id], today=today, kind_labels=labels)
        row["score"] = outcome.scores.get(product_id, 0.0)
        rows.append(row)
    return SearchPage(
        count=len(ids),
        results=rows,
        facets=facets_from_rows(outcome.rows),
        mode=outcome.mode,
        degraded_reason=outcome.degraded_reason,
        query=outcome.query.as_dict(),
    )


def product_search_page(
    *,
    text: str,
    filters: ProductFilters,
    ordering: str | None,
    page: int,
    page_size: int,
    cached: bool = True,
) -> SearchPage:
    """One page of hybrid search results with facets over all of them (at most a hundred).
    Raises PageOutOfRange past the end. ``cached=False`` for callers that cache what they
    render from it themselves (the API keeps whole responses): two round trips fewer."""
    if not cached:
        return _search_page(text, filters, ordering, page, page_size)
    parts = {
        "text": " ".join(text.lower().split()),
        "filters": filters.cache_parts(),
        "ordering": ordering,
        "page": page,
        "size": page_size,
    }
    key = cache_key("search", parts)
    found = cache.get(key)
    if found is not None:
        return found
    result = _search_page(text, filters, ordering, page, page_size)
    if result.mode == HYBRID:
        cache.set(key, result, SEARCH_TTL)
    return result

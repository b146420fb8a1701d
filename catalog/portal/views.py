"""The integrator portal's catalog: browse and search with filters and facets (a plain GET form,
server-rendered), and the product page with its offers (the organization's state first)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from catalog.api.filters import ORDERING_CHOICES, ProductFilterSet
from catalog.models import Product
from catalog.search.filters import ProductFilters
from catalog.storefront.detail import product_detail, product_for_page
from catalog.storefront.pages import PageOutOfRange, SearchPage, product_list_page, product_search_page
from ysh.portal.decorators import membership_required
from ysh.users.validators import BRAZILIAN_STATES

PAGE_SIZE = 24
MODULE = "catalog"
# Facets whose parameter takes several values at once (checkbox-like).
MULTI_VALUE = {"kind", "brand"}
SINGLE_VALUE = {"category", "phases", "in_stock"}
FACET_PARAMETERS = ("kind", "brand", "category", "phases", "in_stock", "distributor", "voltage")


def _module_enabled(request) -> bool:
    return request.membership.organization.has_module(MODULE)


def _query_string(params: QueryDict) -> str:
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _without_page(params: QueryDict) -> QueryDict:
    params = params.copy()
    params.pop("page", None)
    return params


def _facet_links(
    params: QueryDict, facets: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """Each facet value with the link that toggles it, keeping every other filter."""
    linked: dict[str, list[dict[str, Any]]] = {}
    base = _without_page(params)
    for name, values in facets.items():
        items = []
        for value in values:
            target = base.copy()
            raw = str(value["value"]).lower() if isinstance(value["value"], bool) else str(value["value"])
            if name in MULTI_VALUE:
                current = target.getlist(name)
                active = raw in current
                target.setlist(name, [v for v in current if v != raw] if active else [*current, raw])
            elif name in SINGLE_VALUE:
                active = target.get(name) == raw
                if active:
                    target.pop(name)
                else:
                    target[name] = raw
            else:  # power and price bands set a range
                low_key, high_key = f"{name}_min", f"{name}_max"
                low = "" if value["min"] is None else str(value["min"])
                high = "" if value["max"] is None else str(value["max"])
                active = target.get(low_key, "") == low and target.get(high_key, "") == high
                for key, bound in ((low_key, low), (high_key, high)):
                    target.pop(key, None)
                    if bound and not active:
                        target[key] = bound
            items.append({**value, "active": active, "url": _query_string(target)})
        linked[name] = items
    return linked


def _list_page(filters: ProductFilters, ordering: str | None, page: int) -> tuple[dict[str, Any], int]:
    try:
        return product_list_page(filters=filters, ordering=ordering, page=page, page_size=PAGE_SIZE), page
    except PageOutOfRange:  # a stale link past the end shows the first page
        return product_list_page(filters=filters, ordering=ordering, page=1, page_size=PAGE_SIZE), 1


def _search_page(
    query: str, filters: ProductFilters, ordering: str | None, page: int
) -> tuple[SearchPage, int]:
    try:
        found = product_search_page(
            text=query, filters=filters, ordering=ordering, page=page, page_size=PAGE_SIZE
        )
        return found, page
    except PageOutOfRange:
        return product_search_page(
            text=query, filters=filters, ordering=ordering, page=1, page_size=PAGE_SIZE
        ), 1


def _page_number(params: QueryDict) -> int:
    try:
        return max(1, int(params.get("page", "1")))
    except ValueError:
        return 1


@membership_required
def product_list(request):
    if not _module_enabled(request):
        return render(request, "catalog/portal/module_disabled.html", status=403)
    params = request.GET
    query = (params.get("q") or "").strip()[:200]
    filterset = ProductFilterSet(params, queryset=Product.objects.all(), request=request)
    valid = filterset.is_valid()
    filters = filterset.product_filters() if valid else ProductFilters()
    ordering = filterset.chosen_ordering() if valid else None
    page = _page_number(params)
    search = None
    if query:
        search, page = _search_page(query, filters, ordering, page)
        results, count, facets = search.results, search.count, search.facets
    else:
        listed, page = _list_page(filters, ordering, page)
        results, count, facets = listed["results"], listed["count"], listed["facets"]
    pages = max(1, -(-count // PAGE_SIZE))
    without_page = _without_page(params)
    context = {
        "query": query,
        "filterset": filterset,
        "form_errors": {} if valid else filterset.errors,
        "results": results,
        "count": count,
        "facets": _facet_links(params, facets),
        "search": search,
        "page": page,
        "pages": pages,
        "previous_url": _query_string(_with(without_page, page=page - 1)) if page > 1 else None,
        "next_url": _query_string(_with(without_page, page=page + 1)) if page < pages else None,
        "ordering_choices": ORDERING_CHOICES,
        "state_choices": BRAZILIAN_STATES,
        "current": params,
        "has_filters": any(key != "page" for key in params),
        # Filters set by facet links travel as hidden fields of the filter form.
        "facet_hidden": [(key, value) for key in FACET_PARAMETERS for value in params.getlist(key) if value],
    }
    return render(request, "catalog/portal/product_list.html", context)


def _with(params: QueryDict, **values) -> QueryDict:
    params = params.copy()
    for key, value in values.items():
        params[key] = str(value)
    return params


@membership_required
def product_page(request, pk: int):
    if not _module_enabled(request):
        return render(request, "catalog/portal/module_disabled.html", status=403)
    try:
        product = product_for_page(product_id=pk)
    except Product.DoesNotExist as exc:
        raise Http404(_("No product with this id.")) from exc
    valid_states = {code for code, _label in BRAZILIAN_STATES}
    requested = request.GET.get("state", "")
    state = requested if requested in valid_states else (request.membership.organization.state or None)
    detail = product_detail(product=product, state=state)
    context = {
        "product": detail,
        "state": state,
        "state_choices": BRAZILIAN_STATES,
    }
    return render(request, "catalog/portal/product_detail.html", context)

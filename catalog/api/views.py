"""Storefront catalog API: public, read-only, throttled.

Views stay thin: validate the query string (FilterSet / input serializers → 400 with field
errors), call one read function of ``catalog.storefront`` or ``catalog.search``, shape the page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from catalog.api import serializers as s
from catalog.api.filters import ProductFilterSet
from catalog.api.schema import filterset_parameters
from catalog.models import Product
from catalog.search.cache import LocalCache, cache_key
from catalog.search.filters import ProductFilters
from catalog.search.hybrid import HYBRID
from catalog.storefront.detail import product_detail, product_for_page
from catalog.storefront.listing import LIST_FIELDS, brand_list, category_tree, distributor_list, product_row
from catalog.storefront.pages import PageOutOfRange, product_list_page, product_search_page
from ysh.api.pagination import CursorPagination
from ysh.api.throttling import AnonRateThrottle, UserRateThrottle
from ysh.users.context import request_membership

PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number (page mode, the default)."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (max 200)."),
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        description=(
            "Cursor mode for big tables: send an empty `cursor=` for the first page, then follow "
            "`next`. No count and no facets; ordering is always newest first."
        ),
    ),
]


class PublicCatalogMixin:
    permission_classes = [AllowAny]

    def get_throttles(self):
        # DRF's UserRateThrottle also counts anonymous callers by IP, doubling the cache round
        # trips of every anonymous request; each caller is counted once, by the throttle meant
        # for it.
        if self.request.user and self.request.user.is_authenticated:
            return [UserRateThrottle()]
        return [AnonRateThrottle()]

    # The FilterSet is applied explicitly (its parameters are documented by extend_schema);
    # DRF's default OrderingFilter/SearchFilter must not touch these views.
    filter_backends: list = []
    throttle_classes = [AnonRateThrottle, UserRateThrottle]


class ProductCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 25
    max_page_size = 200


FILTER_PARAMETERS = frozenset(ProductFilterSet.base_filters)


class _NoFilters:
    """What an unfiltered request validates to, without building the FilterSet's form (the
    plain first page is the storefront's most frequent request)."""

    def product_filters(self) -> ProductFilters:
        return ProductFilters()

    def chosen_ordering(self) -> None:
        return None


def _valid_filterset(request) -> ProductFilterSet | _NoFilters:
    if FILTER_PARAMETERS.isdisjoint(request.query_params):
        return _NoFilters()
    filterset = ProductFilterSet(request.query_params, queryset=Product.objects.all(), request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset


def _page_links(request, *, page: int, page_size: int, count: int) -> tuple[str | None, str | None]:
    url = request.build_absolute_uri()
    next_url = replace_query_param(url, "page", page + 1) if page * page_size < count else None
    if page <= 1:
        previous_url = None
    elif page == 2:
        previous_url = remove_query_param(url, "page")
    else:
        previous_url = replace_query_param(url, "page", page - 1)
    return next_url, previous_url


def _page(request) -> tuple[int, int]:
    params = s.PageQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data["page"], params.validated_data["page_size"]


RESPONSE_TTL = 60
# Rendered pages are also kept a few seconds per process: a hit then costs no cache round trip.
_local_pages = LocalCache(ttl=5, maxsize=256)


def json_response_cached(request, namespace: str, build: Callable[[], tuple[dict, bool]]):
    """The JSON body of a public, anonymous-cacheable GET, memoized per absolute URL (and index
    generation and language) for RESPONSE_TTL seconds — what ``cache_page`` does, but after
    DRF's throttles and dropped at every index change. ``build`` returns (data, cacheable);
    its exceptions (400/404) are never cached. Other renderers (the browsable API) skip it."""
    if getattr(request, "accepted_renderer", None) is None or request.accepted_renderer.format != "json":
        data, _cacheable = build()
        return Response(data)
    key = cache_key(namespace, {"url": request.build_absolute_uri()})
    body = _local_pages.get(key)
    if body is None:
        body = cache.get(key)
        if body is None:
            data, cacheable = build()
            body = JSONRenderer().render(data, renderer_context={"request": request})
            if cacheable:
                cache.set(key, body, RESPONSE_TTL)
                _local_pages.set(key, body)
        else:
            _local_pages.set(key, body)
    return HttpResponse(body, content_type="application/json")


def buyer_state(request, explicit: str | None) -> str | None:
    """The state offers are ranked for: ``?state=`` or the caller's organization's state."""
    if explicit:
        return explicit
    if request.user.is_authenticated:
        membership = request_membership(request)
        if membership is not None and membership.organization.state:
            return membership.organization.state
    return None


@extend_schema(tags=["catalog"])
class ProductViewSet(PublicCatalogMixin, viewsets.GenericViewSet):
    queryset = Product.objects.filter(is_active=True)
    pagination_class = None

    @extend_schema(
        summary="List products with filters, ordering and facets",
        parameters=[*filterset_parameters(ProductFilterSet), *PAGE_PARAMETERS],
        responses={200: s.ProductListResponseSerializer},
    )
    def list(self, request):
        if "cursor" in request.query_params:
            return self._cursor_page(request)
        return json_response_cached(request, "list-response", lambda: (self._page_body(request), True))

    def _cursor_page(self, request):
        filterset = _valid_filterset(request)
        queryset = filterset.product_filters().apply(Product.objects.all())
        if filterset.chosen_ordering() not in (None, "newest"):
            raise ValidationError({"ordering": [_("Cursor pagination lists the newest first only.")]})
        paginator = ProductCursorPagination()
        rows = paginator.paginate_queryset(queryset.values(*LIST_FIELDS), request, view=self)
        today = timezone.localdate()
        return Response(
            {
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": [product_row(row, today=today) for row in rows],
            }
        )

    def _page_body(self, request) -> dict:
        filterset = _valid_filterset(request)
        page, page_size = _page(request)
        try:
            body = product_list_page(
                filters=filterset.product_filters(),
                ordering=filterset.chosen_ordering(),
                page=page,
                page_size=page_size,
            )
        except PageOutOfRange as exc:
            raise NotFound(_("Invalid page.")) from exc
        next_url, previous_url = _page_links(request, page=page, page_size=page_size, count=body["count"])
        return {
            "count": body["count"],
            "next": next_url,
            "previous": previous_url,
            "results": body["results"],
            "facets": body["facets"],
        }

    @extend_schema(
        summary="Product page: specs, offers (best for the buyer's state first), compliance, kit, "
        "recommendations",
        parameters=[s.ProductDetailQuerySerializer],
        responses={200: s.ProductDetailSerializer},
    )
    def retrieve(self, request, pk=None):
        params = s.ProductDetailQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            product = product_for_page(product_id=int(pk))
        except (ValueError, TypeError, Product.DoesNotExist) as exc:
            raise NotFound(_("No product with this id.")) from exc
        state = buyer_state(request, params.validated_data.get("state"))
        detail = product_detail(
            product=product, state=state, module_count=params.validated_data.get("modules")
        )
        return Response(detail)


@extend_schema(tags=["catalog"])
class ProductSearchView(PublicCatalogMixin, APIView):
    @extend_schema(
        summary="Hybrid search (full text + semantic, fused by reciprocal rank)",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="What the buyer typed."),
            *filterset_parameters(ProductFilterSet),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (max 50)."),
        ],
        responses={200: s.ProductSearchResponseSerializer},
    )
    def get(self, request):
        return json_response_cached(request, "search-response", lambda: self._body(request))

    def _body(self, request) -> tuple[dict, bool]:
        params = s.ProductSearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filterset = _valid_filterset(request)
        page, page_size = params.validated_data["page"], params.validated_data["page_size"]
        try:
            found = product_search_page(
                text=params.validated_data["q"],
                filters=filterset.product_filters(),
                ordering=filterset.chosen_ordering(),
                page=page,
                page_size=page_size,
                # json_response_cached keeps the rendered response: no second cache layer.
                cached=False,
            )
        except PageOutOfRange as exc:
            raise NotFound(_("Invalid page.")) from exc
        next_url, previous_url = _page_links(request, page=page, page_size=page_size, count=found.count)
        body = {
            "count": found.count,
            "next": next_url,
            "previous": previous_url,
            "mode": found.mode,
            "degraded_reason": found.degraded_reason,
            "query": found.query,
            "results": found.results,
            "facets": found.facets,
        }
        # A lexical-only answer is not kept: the next request should try Qdrant again.
        return body, found.mode == HYBRID


@extend_schema(tags=["catalog"])
class CategoryTreeView(PublicCatalogMixin, APIView):
    @extend_schema(summary="Category tree", responses={200: s.CategoryNodeSerializer(many=True)})
    def get(self, request):
        counts = dict(
            Product.objects.filter(is_active=True)
            .values_list("category_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        return Response(category_tree(counts=counts))


@extend_schema(tags=["catalog"])
class BrandListView(PublicCatalogMixin, APIView):
    @extend_schema(summary="Brands", responses={200: s.BrandSerializer(many=True)})
    def get(self, request):
        return Response(list(brand_list()))


@extend_schema(tags=["catalog"])
class DistributorListView(PublicCatalogMixin, APIView):
    @extend_schema(summary="Distributors and the states of their warehouses",
                   responses={200: s.DistributorSerializer(many=True)})  # fmt: skip
    def get(self, request):
        return Response(distributor_list())

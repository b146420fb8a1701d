"""API routes of the catalog app, mounted under /api/v1/ (paths fixed by PRODUCT.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from catalog.api import views
from catalog.api.coverage import CoverageView  # C2's staff coverage report

router = SimpleRouter()
router.register("catalog/products", views.ProductViewSet, basename="catalog-product")

urlpatterns = [
    *router.urls,
    path("catalog/search/", views.ProductSearchView.as_view(), name="catalog-search"),
    path("catalog/categories/", views.CategoryTreeView.as_view(), name="catalog-categories"),
    path("catalog/brands/", views.BrandListView.as_view(), name="catalog-brands"),
    path("catalog/distributors/", views.DistributorListView.as_view(), name="catalog-distributors"),
    path("catalog/coverage/", CoverageView.as_view(), name="catalog-coverage"),
]

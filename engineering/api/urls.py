"""API routes of the engineering app, mounted under /api/v1/ (paths fixed by PRODUCT.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from engineering.api import views

router = SimpleRouter()
router.register("engineering/viability", views.ViabilityViewSet, basename="engineering-viability")
router.register(
    "engineering/financing/simulations",
    views.FinancingSimulationViewSet,
    basename="engineering-financing-simulation",
)

urlpatterns = [
    path("engineering/utilities/", views.UtilityListView.as_view(), name="engineering-utilities"),
    path(
        "engineering/utilities/<str:code>/tariffs/",
        views.UtilityTariffsView.as_view(),
        name="engineering-utility-tariffs",
    ),
    path("engineering/irradiation/", views.IrradiationView.as_view(), name="engineering-irradiation"),
    path(
        "engineering/financing/simulate/",
        views.FinancingSimulateView.as_view(),
        name="engineering-financing-simulate",
    ),
    path(
        "engineering/financing/products/",
        views.FinancingProductListView.as_view(),
        name="engineering-financing-products",
    ),
    path(
        "engineering/photogrammetry/", views.PhotogrammetryView.as_view(), name="engineering-photogrammetry"
    ),
    *router.urls,
]

"""Everything under /api/v1/: each app's api/urls.py, the schema and Swagger UI."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from ysh.api.views import ApiRootView

app_name = "api"

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include("ysh.users.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("engineering.api.urls")),
    path("", include("homologation.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("leads.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("assistant.api.urls")),
]

"""The project's URLs plus the catalog portal at /portal/catalog/, for the portal tests until
the lead mounts ``catalog.portal.urls`` in the project urlconf (then this adds nothing)."""

from django.urls import include, path

from ysh.urls import urlpatterns as project_urlpatterns

_mounted = any(getattr(pattern, "namespace", None) == "catalog_portal" for pattern in project_urlpatterns)

urlpatterns = [
    *([] if _mounted else [path("portal/catalog/", include("catalog.portal.urls"))]),
    *project_urlpatterns,
]

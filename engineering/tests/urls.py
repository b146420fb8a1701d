"""The project's URLs plus the engineering portal, for the portal tests until the project's
``ysh/urls.py`` includes ``engineering.portal.urls`` under /portal/engineering/ itself."""

from django.urls import include, path

from ysh.urls import urlpatterns as project_urlpatterns

_wired = any(getattr(p, "namespace", None) == "engineering_portal" for p in project_urlpatterns)

urlpatterns = [
    *([] if _wired else [path("portal/engineering/", include("engineering.portal.urls"))]),
    *project_urlpatterns,
]

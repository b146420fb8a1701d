from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from ysh import health

admin.site.site_header = _("YSH · Yello Solar Hub")
admin.site.site_title = _("YSH admin")
admin.site.index_title = _("Back office")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:dashboard", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("ysh.api.urls")),
    path("portal/catalog/", include("catalog.portal.urls")),
    path("portal/engineering/", include("engineering.portal.urls")),
    path("portal/", include("ysh.portal.urls")),
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

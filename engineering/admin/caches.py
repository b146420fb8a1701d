"""Read-only caches with their hit counters: ANEEL, PVGIS/pvlib, roof analyses (photogrammetry)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engineering.models import AneelCache, PhotogrammetryAnalysis, PVLibCache


class ReadOnlyCacheAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("fresh"))
    def fresh(self, obj):
        return obj.expires_at > timezone.now()


@admin.register(AneelCache)
class AneelCacheAdmin(ReadOnlyCacheAdmin):
    list_display = (
        "url_short",
        "status_code",
        "size_bytes",
        "fetched_at",
        "expires_at",
        "fresh",
        "hits",
        "last_hit_at",
    )
    search_fields = ("url", "key")
    exclude = ("body",)
    readonly_fields = (
        "key",
        "url",
        "params",
        "status_code",
        "content_type",
        "body_path",
        "size_bytes",
        "fetched_at",
        "expires_at",
        "hits",
        "last_hit_at",
    )

    @admin.display(description=_("URL"))
    def url_short(self, obj):
        return obj.url[:90]


@admin.register(PVLibCache)
class PVLibCacheAdmin(ReadOnlyCacheAdmin):
    list_display = ("key", "source", "lat", "lon", "fetched_at", "expires_at", "fresh", "hits", "last_hit_at")
    list_filter = ("source",)
    search_fields = ("key",)


@admin.register(PhotogrammetryAnalysis)
class PhotogrammetryAnalysisAdmin(ReadOnlyCacheAdmin):
    list_display = (
        "id",
        "address",
        "lat",
        "lon",
        "provider",
        "status",
        "usable_area_m2",
        "max_panels",
        "times_reused",
        "last_reused_at",
        "expires_at",
        "fresh",
        "cost_usd",
    )
    list_filter = ("provider", "status", "imagery_quality")
    list_select_related = ("organization",)
    search_fields = ("address", "normalized_address", "address_hash", "coordinates_hash", "cep")
    readonly_fields = [f.name for f in PhotogrammetryAnalysis._meta.fields]

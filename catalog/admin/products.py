"""Products with their offers and kit components, offers, price history, and the coverage report."""

import json

from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalog import selectors, services
from catalog.models import KitComponent, Offer, PriceHistory, Product
from catalog.pipeline.validate import INMETRO_KINDS


def reindex_on_commit(product_ids) -> None:
    """Admin edits reach the search index after the transaction commits."""
    try:
        from catalog.search.index import products_reindex_on_commit
    except ImportError:  # search not deployed
        return
    products_reindex_on_commit(product_ids=product_ids)


class ComplianceFilter(admin.SimpleListFilter):
    title = _("INMETRO compliance")
    parameter_name = "compliance"

    def lookups(self, request, model_admin):
        return [
            ("flagged", _("Missing or expired")),
            ("missing", _("Missing")),
            ("expired", _("Expired")),
            ("ok", _("Valid")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        needs = Q(kind__in=INMETRO_KINDS)
        if self.value() == "flagged":
            return selectors.products_noncompliant(queryset, today=today)
        if self.value() == "missing":
            return queryset.filter(needs, inmetro_registration="")
        if self.value() == "expired":
            return queryset.filter(needs, inmetro_valid_until__lt=today).exclude(inmetro_registration="")
        if self.value() == "ok":
            return (
                queryset.filter(needs).exclude(inmetro_registration="").exclude(inmetro_valid_until__lt=today)
            )
        return queryset


class QualityFilter(admin.SimpleListFilter):
    title = _("quality score")
    parameter_name = "quality"

    def lookups(self, request, model_admin):
        return [(f"{low}-{high}", f"{low}–{high}") for low, high in selectors.QUALITY_BUCKETS]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        low, _, high = self.value().partition("-")
        if not (low.isdigit() and high.isdigit()):
            return queryset
        return queryset.filter(quality_score__gte=int(low), quality_score__lte=int(high))


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = [
        "distributor",
        "warehouse",
        "sku",
        "price",
        "stock",
        "lead_time_days",
        "is_active",
        "last_seen_at",
    ]
    readonly_fields = ["last_seen_at"]
    autocomplete_fields = ["distributor", "warehouse"]
    show_change_link = True

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("distributor", "warehouse", "warehouse__distributor")
        )


class KitComponentInline(admin.TabularInline):
    model = KitComponent
    fk_name = "kit"
    extra = 0
    fields = ["component", "quantity"]
    autocomplete_fields = ["component"]
    verbose_name_plural = _("kit components")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("component")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_list_template = "admin/catalog/product/change_list.html"
    list_display = [
        "name",
        "brand",
        "kind",
        "min_price",
        "price_per_wp",
        "offer_count",
        "in_stock",
        "quality_score",
        "compliance",
        "specs_valid",
    ]
    list_filter = ["kind", ComplianceFilter, QualityFilter, "in_stock", "is_active", "brand"]
    list_select_related = ["brand"]
    search_fields = ["name", "model_code", "model_key", "brand__name"]
    autocomplete_fields = ["brand", "category"]
    readonly_fields = [
        "model_key",
        "spec_errors_display",
        "min_price",
        "median_price",
        "max_price",
        "price_per_wp",
        "offer_count",
        "in_stock",
        "stock_states",
        "quality_score",
        "compliance",
        "content_hash",
        "indexed_hash",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["kind", "category", "brand", "model_code", "model_key", "name", "slug", "is_active"]},
        ),
        (
            _("Technical specs"),
            {"fields": ["specs", "spec_errors_display", "description", "images", "datasheet_url"]},
        ),
        (
            _("Compliance and warranty"),
            {
                "fields": [
                    "inmetro_registration",
                    "inmetro_valid_until",
                    "compliance",
                    "ence_class",
                    "warranty_years",
                    "performance_warranty_years",
                ]
            },
        ),
        (
            _("Offers summary"),
            {
                "fields": [
                    "min_price",
                    "median_price",
                    "max_price",
                    "price_per_wp",
                    "offer_count",
                    "in_stock",
                    "stock_states",
                    "quality_score",
                ]
            },
        ),
        (
            _("Pipeline"),
            {"classes": ["collapse"], "fields": ["content_hash", "indexed_hash", "created_at", "updated_at"]},
        ),
    ]
    inlines = [OfferInline, KitComponentInline]
    show_full_result_count = False

    @admin.display(description=_("INMETRO"))
    def compliance(self, obj):
        status = selectors.product_compliance_status(obj)
        labels = {
            "ok": _("valid"),
            "missing": _("missing"),
            "expired": _("expired"),
            "not_required": "—",
        }
        if status in ("missing", "expired"):
            return format_html('<strong style="color:#b42318">⚠ {}</strong>', labels[status])
        return labels[status]

    @admin.display(description=_("specs valid"), boolean=True)
    def specs_valid(self, obj):
        return not obj.spec_errors

    @admin.display(description=_("spec validation errors"))
    def spec_errors_display(self, obj):
        if not obj.spec_errors:
            return "—"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((e,) for e in obj.spec_errors))
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reindex_on_commit([obj.pk])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.product_refresh_offer_summary(product=form.instance)

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        reindex_on_commit([pk])

    def get_urls(self):
        urls = super().get_urls()
        coverage = path(
            "coverage/",
            self.admin_site.admin_view(self.coverage_view),
            name="catalog_product_coverage",
        )
        return [coverage, *urls]

    def coverage_view(self, request):
        report = selectors.catalog_coverage_report()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Catalog coverage report"),
            "opts": self.model._meta,
            "report": report,
            "report_json": json.dumps(report, indent=2, ensure_ascii=False),
            "api_url": "/api/v1/catalog/coverage/",
            "changelist_url": reverse("admin:catalog_product_changelist"),
        }
        return TemplateResponse(request, "admin/catalog/coverage.html", context)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "sku",
        "product",
        "distributor",
        "warehouse",
        "price",
        "stock",
        "is_active",
        "last_seen_at",
    ]
    list_filter = ["is_active", "distributor"]
    list_select_related = ["product", "distributor", "warehouse", "warehouse__distributor"]
    search_fields = ["sku", "title", "product__name"]
    autocomplete_fields = ["product", "distributor", "warehouse"]
    raw_id_fields = ["raw_listing"]
    readonly_fields = ["first_seen_at", "last_seen_at"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.product_refresh_offer_summary(product=obj.product)


@admin.register(PriceHistory)
class PriceHistoryAdmin(admin.ModelAdmin):
    list_display = ["offer", "price", "stock", "observed_at"]
    list_select_related = ["offer", "offer__distributor"]
    raw_id_fields = ["offer"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

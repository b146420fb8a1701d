"""Integrators' pricing settings (one per organization): staff can read and correct them; an
organization's owners and admins edit their own in the portal."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from engineering.models import IntegratorPricing


@admin.register(IntegratorPricing)
class IntegratorPricingAdmin(admin.ModelAdmin):
    list_display = (
        "organization",
        "installation_rs_wp",
        "bos_pct",
        "bos_rs_wp",
        "freight_pct",
        "homologation_fee",
        "other_costs",
        "margin_pct",
        "service_tax_pct",
        "validity_days",
        "updated_at",
    )
    list_select_related = ("organization",)
    search_fields = ("organization__legal_name", "organization__trade_name", "organization__cnpj")
    autocomplete_fields = ("organization",)
    readonly_fields = ("updated_by", "created_at", "updated_at")
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("organization",)}),
        (
            _("Costs"),
            {
                "fields": (
                    "installation_rs_wp",
                    ("bos_pct", "bos_rs_wp"),
                    "freight_pct",
                    "homologation_fee",
                    "other_costs",
                )
            },
        ),
        (_("Price"), {"fields": ("margin_pct", "service_tax_pct", "validity_days")}),
        (None, {"fields": ("updated_by", "created_at", "updated_at")}),
    )

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

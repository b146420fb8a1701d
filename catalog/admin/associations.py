"""Product associations ("frequently bought together"): read-only, they are recomputed nightly
by ``catalog.tasks.enrich_product_associations``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductAssociation


@admin.register(ProductAssociation)
class ProductAssociationAdmin(admin.ModelAdmin):
    list_display = [
        "product",
        "other",
        "confidence_pct",
        "lift_rounded",
        "support_pct",
        "baskets",
        "computed_at",
    ]
    list_filter = [
        ("product__kind", admin.ChoicesFieldListFilter),
        ("other__kind", admin.ChoicesFieldListFilter),
    ]
    list_select_related = ["product", "other"]
    search_fields = ["product__name", "product__model_code", "other__name", "other__model_code"]
    ordering = ["product", "-confidence", "-lift", "other"]
    fields = ["product", "other", "support", "confidence", "lift", "baskets", "computed_at"]
    readonly_fields = fields
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("confidence"), ordering="confidence")
    def confidence_pct(self, obj: ProductAssociation) -> str:
        return f"{obj.confidence * 100:.1f} %"

    @admin.display(description=_("lift"), ordering="lift")
    def lift_rounded(self, obj: ProductAssociation) -> str:
        return f"{obj.lift:.2f}"

    @admin.display(description=_("support"), ordering="support")
    def support_pct(self, obj: ProductAssociation) -> str:
        return f"{obj.support * 100:.2f} %"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Categories, brands with their aliases, distributors with their warehouses."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import services
from catalog.models import Brand, BrandAlias, Category, Distributor, Warehouse
from catalog.models.imports import ImportTrigger
from catalog.reference import alias_normalize


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "kind", "position"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ("name",)}
    ordering = ["parent__position", "position", "name"]


class BrandAliasForm(forms.ModelForm):
    """Aliases are stored in the form the pipeline looks them up in ("Ja-Solar" → "jasolar")."""

    class Meta:
        model = BrandAlias
        fields = ["brand", "alias"]

    def clean_alias(self):
        alias = alias_normalize(self.cleaned_data["alias"])
        if not alias:
            raise forms.ValidationError(_("An alias needs letters or digits."))
        return alias


class BrandAliasInline(admin.TabularInline):
    model = BrandAlias
    form = BrandAliasForm
    extra = 1
    fields = ["alias"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "slug", "country", "website"]
    search_fields = ["name", "slug", "aliases__alias"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [BrandAliasInline]


@admin.register(BrandAlias)
class BrandAliasAdmin(admin.ModelAdmin):
    form = BrandAliasForm
    list_display = ["alias", "brand"]
    list_select_related = ["brand"]
    search_fields = ["alias", "brand__name"]
    autocomplete_fields = ["brand"]


class WarehouseInline(admin.TabularInline):
    model = Warehouse
    extra = 0
    fields = ["code", "name", "city", "state"]


@admin.register(Distributor)
class DistributorAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "feed_format", "feed_url", "is_active", "last_synced_at"]
    list_filter = ["feed_format", "is_active"]
    search_fields = ["name", "slug", "cnpj"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["organization"]
    readonly_fields = ["last_synced_at"]
    inlines = [WarehouseInline]
    actions = ["run_import_now"]

    @admin.action(description=_("Run import now"))
    def run_import_now(self, request, queryset):
        runs = [
            services.import_run_enqueue(distributor=d, trigger=ImportTrigger.ADMIN, user=request.user)
            for d in queryset
        ]
        self.message_user(
            request,
            ngettext(
                "%(count)d import queued: follow it in Import runs.",
                "%(count)d imports queued: follow them in Import runs.",
                len(runs),
            )
            % {"count": len(runs)},
            messages.SUCCESS,
        )


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "distributor", "city", "state"]
    list_filter = ["state", "distributor"]
    list_select_related = ["distributor"]
    search_fields = ["name", "code", "city"]
    autocomplete_fields = ["distributor"]

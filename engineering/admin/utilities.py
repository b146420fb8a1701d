"""Utilities and their tariffs with history (superseded rows stay visible), refresh runs."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from engineering.models import Tariff, TariffRefreshRun, Utility


@admin.register(Utility)
class UtilityAdmin(admin.ModelAdmin):
    list_display = ("sig_agente", "name", "cnpj", "states_list", "active", "tariffs_link")
    list_filter = ("active",)
    search_fields = ("sig_agente", "name", "cnpj")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("states"))
    def states_list(self, obj):
        return ", ".join(obj.states or [])

    @admin.display(description=_("tariffs"))
    def tariffs_link(self, obj):
        url = reverse("admin:engineering_tariff_changelist") + f"?utility__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("history"))


class CurrentFilter(admin.SimpleListFilter):
    title = _("history")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return (("yes", _("current rows")), ("no", _("superseded rows")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(superseded_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(superseded_at__isnull=False)
        return queryset


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = (
        "utility",
        "subgroup",
        "modality",
        "klass",
        "detail",
        "posto",
        "valid_from",
        "valid_to",
        "tusd_rs_mwh",
        "te_rs_mwh",
        "fio_b_rs_mwh",
        "source",
        "superseded_at",
    )
    list_filter = (CurrentFilter, "source", "subgroup", "modality", "unit")
    list_select_related = ("utility",)
    search_fields = ("utility__sig_agente", "resolution", "klass", "subclass")
    autocomplete_fields = ("utility",)
    date_hierarchy = "valid_from"
    show_full_result_count = False
    readonly_fields = (
        "key_hash",
        "fingerprint",
        "first_seen",
        "last_seen",
        "superseded_at",
        "dataset_generated_on",
    )

    def has_change_permission(self, request, obj=None):
        # Published figures: history is kept, never edited by hand.
        return False


@admin.register(TariffRefreshRun)
class TariffRefreshRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "source", "status", "finished_at", "counts")
    list_filter = ("status", "source")
    readonly_fields = ("source", "status", "started_at", "finished_at", "counts", "error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

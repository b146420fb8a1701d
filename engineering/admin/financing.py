"""Financing products (configured here), simulations with their credit history."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from engineering.models import CreditStatus, CreditStatusEvent, FinancingProduct, FinancingSimulation
from ysh.errors import DomainError


@admin.register(FinancingProduct)
class FinancingProductAdmin(admin.ModelAdmin):
    list_display = (
        "bank",
        "name",
        "borrowers",
        "monthly_rate_pct",
        "annual_rate",
        "min_term_months",
        "max_term_months",
        "min_amount",
        "max_amount",
        "fee_fixed",
        "is_active",
    )
    list_filter = ("is_active", "borrowers", "amortization_system")
    list_editable = ("is_active",)
    search_fields = ("bank", "name")

    @admin.display(description=_("rate (% a.a.)"))
    def annual_rate(self, obj):
        return obj.annual_rate_pct


class CreditStatusEventInline(admin.TabularInline):
    model = CreditStatusEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "note", "actor", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


def _transition(target):
    def action(modeladmin, request, queryset):
        from engineering.financing import credit_status_transition

        done = 0
        for simulation in queryset:
            try:
                credit_status_transition(
                    simulation=simulation,
                    to_status=target,
                    actor=request.user,
                    note=str(_("changed in the admin")),
                )
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"#{simulation.pk}: {exc.message}", messages.WARNING)
        modeladmin.message_user(request, _("%(n)s simulation(s) updated.") % {"n": done})

    action.short_description = _("Credit status → %(status)s") % {"status": CreditStatus(target).label}
    action.__name__ = f"to_{target}"
    return action


@admin.register(FinancingSimulation)
class FinancingSimulationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "organization",
        "bank",
        "amount",
        "term_months",
        "first_payment",
        "cet_annual_pct",
        "status",
        "created_at",
    )
    list_filter = ("status", "amortization_system", "borrower_type")
    list_select_related = ("organization", "product")
    search_fields = ("bank", "organization__legal_name", "organization__trade_name", "uuid")
    autocomplete_fields = ("organization", "analysis", "product")
    show_full_result_count = False
    inlines = [CreditStatusEventInline]
    actions = [_transition(CreditStatus.UNDER_ANALYSIS), _transition(CreditStatus.CANCELLED)]
    readonly_fields = [
        f.name
        for f in FinancingSimulation._meta.fields
        if f.name
        not in ("approved_amount", "approved_term_months", "approved_monthly_rate_pct", "rejection_reason")
    ]

    def has_add_permission(self, request):
        return False

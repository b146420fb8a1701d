"""Viability analyses: key figures in the list, inputs and results read-only, actions that call
the services (recompute, generate the proposal)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from engineering.models import SolarViabilityAnalysis
from ysh.errors import DomainError


@admin.register(SolarViabilityAnalysis)
class SolarViabilityAnalysisAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "organization",
        "city",
        "state",
        "utility",
        "system_kwp",
        "total_investment",
        "monthly_savings",
        "simple_payback_years",
        "viability_score",
        "recommendation",
        "lead_status",
        "proposal_status",
        "created_at",
    )
    list_filter = (
        "recommendation",
        "is_viable",
        "connection_type",
        "lead_status",
        "proposal_status",
        "state",
    )
    list_select_related = ("organization", "utility")
    search_fields = ("title", "customer_name", "city", "contact_email", "uuid", "organization__legal_name")
    autocomplete_fields = ("organization", "utility")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["recompute", "generate_proposal"]
    readonly_fields = [
        f.name for f in SolarViabilityAnalysis._meta.fields if f.name not in ("title", "customer_name")
    ]

    def has_add_permission(self, request):
        return False  # created by the calculator (portal/API), with every input validated

    @admin.action(description=_("Recompute with today's tariffs, irradiation and prices"))
    def recompute(self, request, queryset):
        from engineering.services import viability_analysis_recompute

        for analysis in queryset:
            try:
                viability_analysis_recompute(analysis=analysis)
            except DomainError as exc:
                self.message_user(request, f"#{analysis.pk}: {exc.message}", messages.WARNING)
        self.message_user(request, _("Recompute finished."))

    @admin.action(description=_("Generate the proposal PDF"))
    def generate_proposal(self, request, queryset):
        from engineering.services import proposal_request

        for analysis in queryset.filter(organization__isnull=False):
            proposal_request(analysis=analysis)
        self.message_user(request, _("Proposal generation queued."))

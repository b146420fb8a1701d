"""The engineer network: engineers with coverage, capacity, rating and availability; assignments."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from engineering.models import AssignmentStatus, Engineer, EngineerAssignment, EngineerUnavailability


class UnavailabilityInline(admin.TabularInline):
    model = EngineerUnavailability
    extra = 0


@admin.register(Engineer)
class EngineerAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "registry_body",
        "registration_state",
        "registration_number",
        "states_list",
        "monthly_capacity",
        "active_load",
        "rating",
        "active",
    )
    list_filter = ("active", "registry_body", "registration_state")
    search_fields = ("name", "registration_number", "email")
    autocomplete_fields = ("user", "utilities")
    filter_horizontal = ()
    inlines = [UnavailabilityInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_load=Count("assignments", filter=Q(assignments__status=AssignmentStatus.ACTIVE)))
        )

    @admin.display(description=_("states"))
    def states_list(self, obj):
        return ", ".join(obj.states or [])

    @admin.display(description=_("active work"), ordering="_load")
    def active_load(self, obj):
        return obj._load


@admin.register(EngineerAssignment)
class EngineerAssignmentAdmin(admin.ModelAdmin):
    list_display = ("reference", "engineer", "state", "utility_code", "status", "assigned_at", "finished_at")
    list_filter = ("status", "state")
    list_select_related = ("engineer",)
    search_fields = ("reference", "engineer__name")
    autocomplete_fields = ("engineer",)
    readonly_fields = ("score", "assigned_at")

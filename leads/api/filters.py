"""Staff list filters of ``GET /api/v1/leads/``; bad values answer 400 with field errors."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from leads.models import InterestType, Lead, LeadSource, LeadStatus
from ysh.users.models import Organization


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class LeadFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=LeadStatus.choices, label=_("Status (repeat for several)"))
    source = filters.MultipleChoiceFilter(choices=LeadSource.choices, label=_("Source (repeat for several)"))
    interest_type = filters.ChoiceFilter(choices=InterestType.choices, label=_("Interest"))
    organization = filters.ModelChoiceFilter(
        queryset=Organization.objects.all(), label=_("Organization id (the integrator that captured it)")
    )
    storefront = filters.BooleanFilter(
        field_name="organization", lookup_expr="isnull", label=_("true = YSH's own storefront leads")
    )
    consent = filters.BooleanFilter(label=_("Consented to be contacted"))
    # Whole local days, as bounds on the indexed column (no per-row date conversion).
    created_after = filters.DateFilter(method="_created_after", label=_("Created on or after (YYYY-MM-DD)"))
    created_before = filters.DateFilter(
        method="_created_before", label=_("Created on or before (YYYY-MM-DD)")
    )

    class Meta:
        model = Lead
        fields: list[str] = []

    def _created_after(self, queryset, name, value):
        return queryset.filter(created_at__gte=_start_of(value))

    def _created_before(self, queryset, name, value):
        return queryset.filter(created_at__lt=_start_of(value + timedelta(days=1)))

"""Read-side queries of the leads app."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from leads.models import CLOSED_STATUSES, Lead


def lead_open_matches(*, organization, email: str, phone: str) -> QuerySet[Lead]:
    """Open leads of the same dedup scope (organization, or YSH's own when None) holding this
    normalized e-mail or phone — at most one per value, by the partial unique indexes."""
    contact = Q()
    if email:
        contact |= Q(email=email)
    if phone:
        contact |= Q(phone=phone)
    if not contact:
        return Lead.objects.none()
    scope = Q(organization__isnull=True) if organization is None else Q(organization=organization)
    return Lead.objects.filter(scope, contact).exclude(status__in=sorted(CLOSED_STATUSES)).order_by("id")


def lead_list() -> QuerySet[Lead]:
    """Every lead for the back office, with what the list shows."""
    return Lead.objects.select_related("organization").order_by("-created_at", "-id")

"""Read-side queries of the engineering app (keyword-only ``<entity>_<verb>`` functions)."""

from __future__ import annotations

from django.db.models import QuerySet

from engineering.models import FinancingProduct, FinancingSimulation, SolarViabilityAnalysis


def viability_analyses_for(*, organization_id: int) -> QuerySet:
    """An organization's analyses, newest first, without the heavy JSON (lists, dashboards)."""
    return (
        SolarViabilityAnalysis.objects.filter(organization_id=organization_id)
        .select_related("utility")
        .defer("result", "sizing", "context", "assumptions", "beneficiaries")
        .order_by("-created_at", "-id")
    )


def viability_analysis_get(*, pk: int, organization_id: int) -> SolarViabilityAnalysis | None:
    return (
        SolarViabilityAnalysis.objects.select_related("utility", "organization", "photogrammetry")
        .filter(pk=pk, organization_id=organization_id)
        .first()
    )


def financing_products_active() -> QuerySet:
    return FinancingProduct.objects.filter(is_active=True).order_by("monthly_rate_pct", "bank")


def financing_simulations_for(*, analysis: SolarViabilityAnalysis) -> QuerySet:
    return analysis.financing_simulations.select_related("product").order_by("-created_at", "-id")


def financing_simulation_get(*, pk: int) -> FinancingSimulation:
    return FinancingSimulation.objects.select_related("product").prefetch_related("events__actor").get(pk=pk)

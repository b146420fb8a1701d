"""Viability of a PV system: the Lei 14.300 rules, the compensation (SCEE) energy balance across
consumer units, the 25-year cash flow and its metrics, and the verdict (score, risks, scenarios).

Pure functions over numbers; ``engineering.services.viability_analysis_create`` gathers the inputs
(catalog, tariffs, irradiation) and persists a ``SolarViabilityAnalysis``."""

from engineering.viability.cashflow import (
    CashflowParams,
    Metrics,
    cashflow_build,
    metrics_compute,
    payback_years,
)
from engineering.viability.compute import (
    Assumptions,
    Costs,
    FinancingPlan,
    ViabilityInputs,
    viability_compute,
)
from engineering.viability.energy import Allocation, ConsumerUnit, scee_simulate
from engineering.viability.rules import (
    ConnectionType,
    GdRegime,
    fio_b_pct,
    gd_regime,
    minimum_billing_kwh,
)

__all__ = [
    "Allocation",
    "Assumptions",
    "CashflowParams",
    "ConnectionType",
    "ConsumerUnit",
    "Costs",
    "FinancingPlan",
    "GdRegime",
    "Metrics",
    "ViabilityInputs",
    "cashflow_build",
    "fio_b_pct",
    "gd_regime",
    "metrics_compute",
    "minimum_billing_kwh",
    "payback_years",
    "scee_simulate",
    "viability_compute",
]

"""Models of the engineering app, split by sub-domain."""

# --- E1: utilities, tariffs, caches ---------------------------------------------------------------
# --- E2: sizing, viability, financing, photogrammetry, engineers, proposals ------------------------
# Add `from engineering.models.<module> import …` lines here (and the names to __all__ below).
from engineering.models.analysis import (
    ConnectionType,
    ConsumptionInput,
    CreditAllocation,
    LeadStatus,
    ProposalStatus,
    Recommendation,
    SolarViabilityAnalysis,
)
from engineering.models.caches import AneelCache, PVLibCache
from engineering.models.engineers import (
    AssignmentStatus,
    Discipline,
    Engineer,
    EngineerAssignment,
    EngineerUnavailability,
    RegistryBody,
)
from engineering.models.financing import (
    CREDIT_TRANSITIONS,
    AmortizationSystem,
    BorrowerType,
    CreditStatus,
    CreditStatusEvent,
    FinancingProduct,
    FinancingSimulation,
    ProductBorrowers,
)
from engineering.models.photogrammetry import PhotogrammetryAnalysis, PhotogrammetryStatus, RoofProvider
from engineering.models.pricing import (
    PLATFORM_PRICING,
    PRICING_KEYS,
    PRICING_LIMITS,
    IntegratorPricing,
    platform_pricing,
)
from engineering.models.utilities import (
    RefreshStatus,
    Tariff,
    TariffRefreshRun,
    TariffSource,
    Utility,
)

__all__ = [
    "CREDIT_TRANSITIONS",
    "PLATFORM_PRICING",
    "PRICING_KEYS",
    "PRICING_LIMITS",
    "AmortizationSystem",
    "AneelCache",
    "AssignmentStatus",
    "BorrowerType",
    "ConnectionType",
    "ConsumptionInput",
    "CreditAllocation",
    "CreditStatus",
    "CreditStatusEvent",
    "Discipline",
    "Engineer",
    "EngineerAssignment",
    "EngineerUnavailability",
    "FinancingProduct",
    "FinancingSimulation",
    "IntegratorPricing",
    "LeadStatus",
    "PVLibCache",
    "PhotogrammetryAnalysis",
    "PhotogrammetryStatus",
    "ProductBorrowers",
    "ProposalStatus",
    "Recommendation",
    "RefreshStatus",
    "RegistryBody",
    "RoofProvider",
    "SolarViabilityAnalysis",
    "Tariff",
    "TariffRefreshRun",
    "TariffSource",
    "Utility",
    "platform_pricing",
]

"""Gathering the inputs of a viability analysis from the rest of the system: the location, the
consumer's tariff (with the Fio B), the consumption profile, the generation at the site, the sized
system with real catalog products and its price (the organization's pricing settings or the
platform's), the beneficiary units and the financing plan.

Every function raises a ``DomainError`` with field errors on bad input, before anything is written."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from engineering.irradiation import InverterParams, ModuleParams, generation_simulate
from engineering.location import haversine_km, location_resolve, municipalities, nearest_capital
from engineering.models import (
    PLATFORM_PRICING,
    PRICING_KEYS,
    FinancingProduct,
    IntegratorPricing,
    Utility,
    platform_pricing,
)
from engineering.sizing import (
    SizingError,
    SizingResult,
    Topology,
    catalog_inverters,
    catalog_micro_inverters,
    catalog_modules,
    site_temperatures,
    system_design,
    target_kwp,
)
from engineering.tariffs import ConsumerTariff, tariff_for_consumer, utility_get, utility_list
from engineering.viability import ConsumerUnit, Costs, FinancingPlan, minimum_billing_kwh
from ysh.errors import DomainError

#: Without a published TUSD Fio B, this share of the TUSD is taken as Fio B (typical B1 tariffs:
#: the distribution-wire component is roughly half of the TUSD). An assumption, overridable.
DEFAULT_FIO_B_SHARE_OF_TUSD = 0.5
#: Pricing defaults of the platform (public calculator); an organization's analyses use its
#: ``IntegratorPricing``. Where each figure comes from: ``engineering/models/pricing.py``.
DEFAULT_BOS_PCT = PLATFORM_PRICING.bos_pct
DEFAULT_INSTALLATION_RS_WP = PLATFORM_PRICING.installation_rs_wp
DEFAULT_HOMOLOGATION_FEE = PLATFORM_PRICING.homologation_fee
#: Reference financing when no product is configured: 1.69% a.m., 60 months, no down payment.
REFERENCE_FINANCING = {"monthly_rate": Decimal("0.0169"), "months": 60}
#: String inverters, micro-inverters, or the cheaper valid design of both per Wp (``sizing``).
DEFAULT_TOPOLOGY = Topology.AUTO.value


class AnalysisInputError(DomainError):
    code = "invalid"

    def __init__(self, field: str, message):
        super().__init__(message, extra={field: [str(message)]})
        self.field = field


@dataclass(frozen=True)
class Site:
    lat: float
    lon: float
    city: str
    state: str
    source: str
    note: str


def site_resolve(*, lat=None, lon=None, cep: str = "", city: str = "", state: str = "") -> Site:
    location = location_resolve(lat=lat, lon=lon, cep=cep or None, city=city or None, state=state or None)
    uf = location.state or nearest_capital(location.lat, location.lon)[0].uf
    return Site(
        lat=location.lat,
        lon=location.lon,
        city=location.city or nearest_city(location.lat, location.lon, state=uf),
        state=uf,
        source=location.source,
        note=location.note,
    )


def nearest_city(lat: float, lon: float, *, state: str, max_km: float = 30.0) -> str:
    """The municipality seat nearest to the point (same state, within ``max_km``), or ""."""
    candidates = [m for m in municipalities() if m.uf == state]
    if not candidates:
        return ""
    best = min(candidates, key=lambda m: haversine_km(lat, lon, m.lat, m.lon))
    return best.name if haversine_km(lat, lon, best.lat, best.lon) <= max_km else ""


def utility_resolve(*, code: str | None, state: str) -> Utility:
    if code:
        return utility_get(code=code)
    candidates = utility_list(state=state)
    if len(candidates) == 1:
        return candidates[0]
    names = ", ".join(u.sig_agente for u in candidates[:12])
    raise AnalysisInputError(
        "utility",
        _("Choose the utility: %(state)s has several (%(names)s).") % {"state": state, "names": names}
        if candidates
        else _("No utility is known for %(state)s; give its ANEEL code.") % {"state": state},
    )


@dataclass(frozen=True)
class TariffFigures:
    final_rs_kwh: float
    fio_b_rs_kwh: float  # with taxes
    fio_b_is_estimate: bool
    snapshot: dict


def tariff_figures(
    tariff: ConsumerTariff, *, fio_b_share: float = DEFAULT_FIO_B_SHARE_OF_TUSD
) -> TariffFigures:
    """Final R$/kWh and the Fio B with the same taxes applied "por dentro" as the tariff."""
    tax_factor = float(tariff.final_rs_kwh) / float(tariff.base_rs_kwh) if tariff.base_rs_kwh else 1.0
    if tariff.fio_b_rs_mwh is not None:
        fio_b_base, estimate = float(tariff.fio_b_rs_mwh) / 1000, False
    else:
        fio_b_base, estimate = float(tariff.tusd_rs_mwh) / 1000 * fio_b_share, True
    snapshot = {
        "utility": tariff.utility_code,
        "utility_name": tariff.utility_name,
        "resolution": tariff.resolution,
        "valid_from": tariff.valid_from.isoformat(),
        "valid_to": tariff.valid_to.isoformat() if tariff.valid_to else None,
        "tusd_rs_mwh": str(tariff.tusd_rs_mwh),
        "te_rs_mwh": str(tariff.te_rs_mwh),
        "fio_b_rs_mwh": str(tariff.fio_b_rs_mwh) if tariff.fio_b_rs_mwh is not None else None,
        "fio_b_estimated_share_of_tusd": fio_b_share if estimate else None,
        "icms_pct": str(tariff.icms_pct),
        "pis_cofins_pct": str(tariff.pis_cofins_pct),
        "final_rs_kwh": str(tariff.final_rs_kwh),
        "source": tariff.source,
        "note": tariff.is_estimate_note,
        "is_sample": tariff.is_sample,
    }
    return TariffFigures(
        final_rs_kwh=float(tariff.final_rs_kwh),
        fio_b_rs_kwh=fio_b_base * tax_factor,
        fio_b_is_estimate=estimate,
        snapshot=snapshot,
    )


def consumption_profile(
    *,
    monthly_kwh: list | None,
    average_kwh=None,
    bill_brl=None,
    tariff_rs_kwh: float,
    field: str = "monthly_kwh",
) -> tuple[list[float], str]:
    """12 monthly kWh from readings, an average or the bill in R$ (bill ÷ final tariff)."""
    if monthly_kwh:
        values = [float(v) for v in monthly_kwh]
        if len(values) != 12:
            raise AnalysisInputError(field, _("Give exactly 12 monthly values (January to December)."))
        if any(v < 0 or not math.isfinite(v) for v in values):
            raise AnalysisInputError(field, _("Consumption cannot be negative."))
        return values, "monthly"
    if average_kwh not in (None, ""):
        average = float(average_kwh)
        if average < 0:
            raise AnalysisInputError("average_kwh", _("Consumption cannot be negative."))
        return [average] * 12, "average"
    if bill_brl not in (None, ""):
        bill = float(bill_brl)
        if bill <= 0:
            raise AnalysisInputError("bill_brl", _("The bill must be a positive amount."))
        return [bill / tariff_rs_kwh] * 12, "bill"
    raise AnalysisInputError(field, _("Give the 12 monthly consumptions, their average or the bill amount."))


def units_build(
    *,
    generator_monthly: list[float],
    connection_type: str,
    figures: TariffFigures,
    beneficiaries: list[dict],
    subgroup: str,
    tariff_class: str,
    default_utility: Utility,
    state: str,
    fio_b_share: float,
) -> tuple[list[ConsumerUnit], list[dict]]:
    """The generator's unit and the beneficiaries with their own tariff and minimum billing."""
    units = [
        ConsumerUnit(
            name=_("Generator unit"),
            monthly_kwh=generator_monthly,
            min_kwh=minimum_billing_kwh(connection_type),
            tariff_rs_kwh=figures.final_rs_kwh,
            fio_b_rs_kwh=figures.fio_b_rs_kwh,
        )
    ]
    notes = []
    total_share = 0.0
    for index, item in enumerate(beneficiaries):
        field = f"beneficiaries[{index}]"
        override = item.get("tariff_rs_kwh")
        if override not in (None, ""):
            final = float(override)
            fio_b = final * figures.fio_b_rs_kwh / figures.final_rs_kwh
        else:
            utility = utility_get(code=item["utility"]) if item.get("utility") else default_utility
            unit_figures = tariff_figures(
                tariff_for_consumer(
                    utility=utility, subgroup=subgroup, klass=tariff_class, state=item.get("state") or state
                ),
                fio_b_share=fio_b_share,
            )
            final, fio_b = unit_figures.final_rs_kwh, unit_figures.fio_b_rs_kwh
            notes.append({"unit": item.get("name") or field, "tariff": unit_figures.snapshot})
        monthly, _kind = consumption_profile(
            monthly_kwh=item.get("monthly_kwh"),
            average_kwh=item.get("average_kwh"),
            tariff_rs_kwh=final,
            field=f"{field}.monthly_kwh",
        )
        share = float(item.get("share_pct") or 0)
        total_share += share
        units.append(
            ConsumerUnit(
                name=item.get("name") or _("Unit %(n)s") % {"n": index + 2},
                monthly_kwh=monthly,
                min_kwh=minimum_billing_kwh(item.get("connection_type") or connection_type),
                tariff_rs_kwh=final,
                fio_b_rs_kwh=fio_b,
                share_pct=share,
                priority=int(item.get("priority") or index + 1),
            )
        )
    if total_share > 100.0001:
        raise AnalysisInputError("beneficiaries", _("The beneficiaries' shares add up to more than 100%."))
    return units, notes


@dataclass
class SiteGeneration:
    per_kwp_monthly: list[float]
    source: str
    assumptions: dict
    performance_ratio: float
    clipping_kwh: float


def generation_per_kwp(
    *, site: Site, tilt: float, azimuth: float, kwp: float = 1.0, module=None, inverter=None
) -> SiteGeneration:
    generation = generation_simulate(
        lat=site.lat,
        lon=site.lon,
        kwp=kwp,
        tilt_deg=tilt,
        azimuth_deg=azimuth,
        module=module,
        inverter=inverter,
    )
    return SiteGeneration(
        per_kwp_monthly=[m / kwp for m in generation.monthly_kwh],
        source=generation.source,
        assumptions=generation.assumptions,
        performance_ratio=generation.performance_ratio,
        clipping_kwh=generation.clipping_kwh,
    )


def system_size(
    *,
    site: Site,
    monthly_kwh: list[float],
    min_kwh: int,
    offset_pct: float,
    specific_yield: float,
    connection_type: str,
    roof_area_m2: float | None,
    module_id: int | None,
    inverter_id: int | None,
    t_min_c: float | None,
    t_max_c: float | None,
    topology: str | None = None,
) -> SizingResult:
    """Size with catalog products. ``topology`` is string, micro or auto (``DEFAULT_TOPOLOGY`` when
    not given); an ``inverter_id`` may name a string inverter or a micro-inverter."""
    topology = topology or DEFAULT_TOPOLOGY
    if topology not in Topology.values:
        raise AnalysisInputError("topology", _("Choose string, micro or auto."))
    modules = catalog_modules(module_id=module_id)
    if module_id is not None and not modules:
        raise AnalysisInputError(
            "module_id", _("This module is not in the catalog with price and electrical data.")
        )
    inverters, micros = [], []
    if topology != Topology.MICRO or inverter_id is not None:
        inverters = catalog_inverters(inverter_id=inverter_id, connection_type=connection_type)
    if topology != Topology.STRING or inverter_id is not None:
        micros = catalog_micro_inverters(micro_id=inverter_id, connection_type=connection_type)
    if inverter_id is not None:
        if not (inverters or micros):
            raise AnalysisInputError(
                "inverter_id", _("This inverter is not in the catalog with price and MPPT data.")
            )
        if topology == Topology.STRING and not inverters:
            raise AnalysisInputError(
                "inverter_id",
                _("This product is a micro-inverter: choose the micro-inverter or automatic topology."),
            )
        if topology == Topology.MICRO and not micros:
            raise AnalysisInputError(
                "inverter_id",
                _("This product is a string inverter: choose the string inverter or automatic topology."),
            )
    noct = modules[0].noct_c if modules else None
    temps = site_temperatures(state=site.state, t_min_c=t_min_c, t_max_c=t_max_c, noct_c=noct)
    kwp = target_kwp(
        monthly_kwh=monthly_kwh, min_kwh=min_kwh, offset_pct=offset_pct, specific_yield=specific_yield
    )
    if kwp <= 0:
        raise SizingError(
            _("The consumption does not exceed the minimum billing: there is nothing to offset."),
            extra={
                "monthly_kwh": [
                    _("Consumption above the minimum billing (%(kwh)s kWh) is needed.") % {"kwh": min_kwh}
                ]
            },
        )
    return system_design(
        modules=modules,
        inverters=inverters,
        kwp=kwp,
        temps=temps,
        connection_type=connection_type,
        roof_area_m2=roof_area_m2,
        micro_inverters=micros,
        topology=topology,
    )


def module_params(sizing: SizingResult) -> tuple[ModuleParams, InverterParams]:
    d = sizing.design
    module = ModuleParams(
        power_w=d.module.power_w, temp_coeff_pmax_pct=d.module.tc_vmp_pct, noct_c=d.module.noct_c or 45.0
    )
    inverter = InverterParams(
        ac_power_w=d.inverter.ac_power_w * d.inverter_count, efficiency_pct=d.inverter.efficiency_pct or 97.5
    )
    return module, inverter


def financing_plan(
    *, product: FinancingProduct | None, months: int | None, down_payment_pct: float
) -> FinancingPlan:
    if product is not None:
        term = months or product.max_term_months
        term = max(product.min_term_months, min(term, product.max_term_months))
        return FinancingPlan(
            monthly_rate=product.monthly_rate_pct / 100,
            months=term,
            down_payment_pct=down_payment_pct,
            label=_("Financed with %(product)s") % {"product": product},
            system=product.amortization_system,
            fee_fixed=product.fee_fixed,
        )
    return FinancingPlan(
        monthly_rate=REFERENCE_FINANCING["monthly_rate"],
        months=months or REFERENCE_FINANCING["months"],
        down_payment_pct=down_payment_pct,
        label=_("Financed at a reference rate of 1.69% a.m."),
    )


def financing_product_default(*, amount: float) -> FinancingProduct | None:
    """The active product with the lowest rate that accepts ``amount`` (individuals)."""
    candidates = FinancingProduct.objects.filter(
        is_active=True, min_amount__lte=Decimal(str(round(amount, 2)))
    )
    for product in candidates.order_by("monthly_rate_pct", "id"):
        if (
            product.max_amount is None or product.max_amount >= Decimal(str(round(amount, 2)))
        ) and product.accepts("pf"):
            return product
    return None


def pricing_resolve(*, organization) -> tuple[dict, str]:
    """The pricing an analysis starts from: the organization's settings when it saved them, else
    the platform defaults (the public calculator, or an organization that never opened the page).
    Returns the values and where they came from (``organization`` or ``platform``)."""
    if organization is not None:
        saved = IntegratorPricing.objects.filter(organization=organization).first()
        if saved is not None:
            return saved.as_dict(), "organization"
    return platform_pricing(), "platform"


def costs_build(*, equipment: float, inverter: float, values: dict) -> Costs:
    """``Costs`` from the catalog equipment price and resolved pricing ``values`` (every key of
    ``PRICING_KEYS`` but the validity)."""
    return Costs(
        equipment=equipment,
        inverter=inverter,
        **{key: float(values[key]) for key in PRICING_KEYS if key != "validity_days"},
    )

"""Write-side services of the engineering app (keyword-only ``<entity>_<verb>`` functions).

Viability analyses: ``viability_analysis_create`` validates and gathers every input (location,
tariff, consumption, generation, sizing with catalog products, beneficiaries, financing plan), runs
the pure ``viability_compute`` and only then writes — bad input is a 4xx and nothing is stored.
``viability_analysis_recompute`` re-runs an analysis from its stored inputs with today's tariffs,
irradiation and catalog prices; on failure the stored result stays as it was.

Public calculator (anonymous): the analysis is stored without an organization and is reachable only
through its unguessable ``uuid``. Contact details left there go to ``leads.services.lead_create``
when the leads app provides it; otherwise they stay on the analysis (``lead_status="recorded"``).

Pricing: an organization's analyses are priced with its ``IntegratorPricing`` (created with the
platform defaults on first use, changed by owners and admins); per-analysis overrides in
``assumptions`` win over it. The public calculator uses the platform defaults.

Financing (``engineering.financing``), roof analysis (``engineering.photogrammetry``) and engineers
(``engineering.engineers``) have their own modules; their public services are re-exported here.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engineering import analysis_inputs as inputs
from engineering.engineers import engineer_assign, engineer_assignment_finish  # noqa: F401 (facade)
from engineering.financing import (  # noqa: F401 (facade)
    credit_status_transition,
    financing_compare,
    financing_simulation_create,
)
from engineering.models import (
    PRICING_KEYS,
    ConsumptionInput,
    FinancingProduct,
    IntegratorPricing,
    LeadStatus,
    PhotogrammetryAnalysis,
    ProposalStatus,
    SolarViabilityAnalysis,
)
from engineering.photogrammetry import photogrammetry_analyze  # noqa: F401 (facade)
from engineering.viability import Assumptions, ViabilityInputs, minimum_billing_kwh, viability_compute
from ysh.errors import DomainError, NotAllowed
from ysh.users.selectors import membership_for
from ysh.users.services import organization_ensure_writable

logger = logging.getLogger(__name__)

#: Keys of ``SolarViabilityAnalysis.assumptions`` the caller may set, with their defaults.
ASSUMPTION_DEFAULTS: dict[str, float | str | None] = {
    "simultaneity": Assumptions.simultaneity,
    "tariff_inflation": Assumptions.tariff_inflation,
    "discount_rate": Assumptions.discount_rate,
    "om_annual_pct": Assumptions.om_annual_pct,
    # Pricing (installation_rs_wp, bos_pct, homologation_fee, margin_pct, …): the defaults here
    # are the platform's; an organization's analysis starts from its IntegratorPricing instead.
    **inputs.PLATFORM_PRICING.as_dict(),
    "fio_b_share_of_tusd": inputs.DEFAULT_FIO_B_SHARE_OF_TUSD,
    "after_transition_fio_b_pct": Assumptions.after_transition_fio_b_pct,
    "t_min_c": None,
    "t_max_c": None,
    "financing_term_months": None,
    "financing_down_payment_pct": 0.0,
    # string | micro | auto (engineering.sizing.Topology); None = analysis_inputs.DEFAULT_TOPOLOGY.
    "topology": None,
}

ANALYSIS_INPUT_FIELDS = (
    "title",
    "customer_name",
    "city",
    "state",
    "subgroup",
    "tariff_class",
    "connection_type",
    "target_offset_pct",
    "roof_area_m2",
    "tilt_deg",
    "azimuth_deg",
    "protocol_date",
    "credit_allocation",
)


def _float(value) -> float | None:
    return None if value in (None, "") else float(value)


def _dec(value, places: str = "0.01") -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def _compute(analysis: SolarViabilityAnalysis) -> None:
    """Fill ``analysis``'s results from its inputs (no database writes)."""
    pricing, pricing_source = inputs.pricing_resolve(organization=analysis.organization)
    a = {**ASSUMPTION_DEFAULTS, **pricing, **(analysis.assumptions or {})}
    site = inputs.site_resolve(
        lat=analysis.lat, lon=analysis.lon, cep=analysis.cep, city=analysis.city, state=analysis.state
    )
    utility = analysis.utility or inputs.utility_resolve(code=None, state=site.state)
    tariff = inputs.tariff_for_consumer(
        utility=utility, subgroup=analysis.subgroup, klass=analysis.tariff_class, state=site.state
    )
    figures = inputs.tariff_figures(tariff, fio_b_share=float(a["fio_b_share_of_tusd"]))
    monthly, _kind = inputs.consumption_profile(
        monthly_kwh=analysis.monthly_consumption_kwh
        if analysis.consumption_input != ConsumptionInput.BILL
        else None,
        bill_brl=analysis.monthly_bill_brl,
        tariff_rs_kwh=figures.final_rs_kwh,
    )
    min_kwh = minimum_billing_kwh(analysis.connection_type)
    tilt, azimuth = float(analysis.tilt_deg), float(analysis.azimuth_deg)
    reference = inputs.generation_per_kwp(site=site, tilt=tilt, azimuth=azimuth)
    roof = analysis.photogrammetry
    roof_area = _float(analysis.roof_area_m2)
    if roof_area is None and roof is not None and roof.usable_area_m2 is not None:
        roof_area = float(roof.usable_area_m2)
    sizing = inputs.system_size(
        site=site,
        monthly_kwh=monthly,
        min_kwh=min_kwh,
        offset_pct=float(analysis.target_offset_pct),
        specific_yield=sum(reference.per_kwp_monthly),
        connection_type=analysis.connection_type,
        roof_area_m2=roof_area,
        module_id=analysis.module_product_id,
        inverter_id=analysis.inverter_product_id,
        t_min_c=_float(a["t_min_c"]),
        t_max_c=_float(a["t_max_c"]),
        topology=a["topology"],
    )
    design = sizing.design
    module, inverter = inputs.module_params(sizing)
    generation = inputs.generation_per_kwp(
        site=site, tilt=tilt, azimuth=azimuth, kwp=design.dc_kwp, module=module, inverter=inverter
    )
    units, unit_tariffs = inputs.units_build(
        generator_monthly=monthly,
        connection_type=analysis.connection_type,
        figures=figures,
        beneficiaries=analysis.beneficiaries or [],
        subgroup=analysis.subgroup,
        tariff_class=analysis.tariff_class,
        default_utility=utility,
        state=site.state,
        fio_b_share=float(a["fio_b_share_of_tusd"]),
    )
    hardware = design.equipment_cost
    costs = inputs.costs_build(
        equipment=hardware, inverter=design.inverter_count * (design.inverter.price or 0), values=a
    )
    investment_estimate = costs.total(design.dc_kwp)
    product = analysis.financing_product or inputs.financing_product_default(amount=investment_estimate)
    plan = inputs.financing_plan(
        product=product,
        months=int(a["financing_term_months"]) if a["financing_term_months"] else None,
        down_payment_pct=float(a["financing_down_payment_pct"] or 0),
    )
    today = timezone.localdate()
    result = viability_compute(
        ViabilityInputs(
            generation_per_kwp_monthly=generation.per_kwp_monthly,
            kwp=design.dc_kwp,
            units=units,
            costs=costs,
            protocol_date=analysis.protocol_date,
            start=max(today, analysis.protocol_date),
            assumptions=Assumptions(
                simultaneity=float(a["simultaneity"]),
                tariff_inflation=float(a["tariff_inflation"]),
                discount_rate=float(a["discount_rate"]),
                om_annual_pct=float(a["om_annual_pct"]),
                after_transition_fio_b_pct=float(a["after_transition_fio_b_pct"]),
            ),
            allocation=analysis.credit_allocation,
            roof_area_needed_m2=sizing.roof_area_needed_m2,
            roof_area_available_m2=roof_area,
            dc_ac_ratio=design.dc_ac_ratio,
            irradiation_is_fallback=generation.source == "atlas-capitals",
            tariff_is_estimate=True,
            fio_b_is_estimate=figures.fio_b_is_estimate,
            shading_known=bool(roof and roof.annual_shade_pct is not None),
            has_roof_analysis=roof is not None,
            financing=plan,
        )
    )
    sizing_dict = sizing.as_dict()
    sizing_dict["hardware_cost"] = round(hardware, 2)
    sizing_dict["bos_cost"] = result["investment"]["bos"]
    analysis.city = analysis.city or site.city
    analysis.state = site.state
    analysis.lat = _dec(site.lat, "0.000001")
    analysis.lon = _dec(site.lon, "0.000001")
    analysis.utility = utility
    analysis.monthly_consumption_kwh = [round(v, 1) for v in monthly]
    analysis.tariff_rs_kwh = _dec(figures.final_rs_kwh, "0.00001")
    analysis.system_kwp = _dec(design.dc_kwp, "0.001")
    analysis.module_count = design.module_count
    analysis.inverter_count = design.inverter_count
    analysis.annual_generation_kwh = _dec(result["energy"]["annual_generation_kwh"], "0.1")
    analysis.specific_yield = _dec(result["energy"]["specific_yield_kwh_kwp"], "0.1")
    analysis.roof_area_needed_m2 = _dec(sizing.roof_area_needed_m2, "0.1")
    inv = result["investment"]
    analysis.equipment_cost = _dec(inv["equipment"])
    analysis.installation_cost = _dec(inv["installation"])
    analysis.homologation_cost = _dec(inv["homologation"])
    analysis.total_investment = _dec(inv["total"])
    m = result["metrics"]
    analysis.monthly_savings = _dec(m["monthly_savings"])
    analysis.annual_savings = _dec(m["annual_savings"])
    analysis.total_savings = _dec(m["total_savings"])
    analysis.simple_payback_years = _dec(m["simple_payback_years"])
    analysis.discounted_payback_years = _dec(m["discounted_payback_years"])
    analysis.irr_pct = _dec(m["irr"] * 100 if m["irr"] is not None else None)
    analysis.npv = _dec(m["npv"])
    analysis.lcoe_rs_kwh = _dec(m["lcoe_rs_kwh"], "0.0001")
    analysis.roi_pct = _dec(m["roi_pct"], "0.1")
    analysis.viability_score = _dec(result["score"], "0.1")
    analysis.recommendation = result["recommendation"]
    analysis.is_viable = result["is_viable"]
    analysis.sizing = sizing_dict
    analysis.context = {
        "location": {
            "lat": site.lat,
            "lon": site.lon,
            "state": site.state,
            "city": site.city,
            "source": site.source,
            "note": site.note,
        },
        "tariff": figures.snapshot,
        "unit_tariffs": unit_tariffs,
        "generation": {
            "source": generation.source,
            "performance_ratio": generation.performance_ratio,
            "clipping_kwh": generation.clipping_kwh,
            "assumptions": generation.assumptions,
        },
        "financing_plan": {
            "product_id": product.pk if product else None,
            "label": plan.label,
            "monthly_rate": str(plan.monthly_rate),
            "months": plan.months,
            "down_payment_pct": plan.down_payment_pct,
        },
        "assumptions": {k: v for k, v in a.items()},
        "pricing": {
            "source": pricing_source,
            "validity_days": int(a["validity_days"]),
            "valid_until": (today + timedelta(days=int(a["validity_days"]))).isoformat(),
        },
    }
    analysis.result = result
    analysis.computed_at = timezone.now()


def _contact_record(analysis: SolarViabilityAnalysis, contact: dict | None) -> None:
    """Hand the calculator's contact to the leads app (``leads.services.lead_create``).

    Without consent nothing is kept, neither a lead nor the contact on the analysis (LGPD); the
    analysis itself still succeeds. ``contact`` may carry the caller's raw ``ip`` (hashed by the
    leads app, never stored as is) and an ``attribution`` dict (UTM, gclid, fbclid, referrer,
    landing_url). When the leads app is not installed, or refuses the contact (e.g. a phone it
    cannot normalize), the contact stays on the analysis (``lead_status="recorded"``)."""
    if not contact or not (contact.get("email") or contact.get("phone")):
        return
    if contact.get("consent") is not True:
        return
    analysis.contact_name = (contact.get("name") or "")[:160]
    analysis.contact_email = contact.get("email") or ""
    analysis.contact_phone = (contact.get("phone") or "")[:20]
    analysis.contact_consent = True
    try:
        # leads reads the other apps and nothing imports it: look it up at run time.
        from leads.services import lead_create
    except ImportError:
        analysis.lead_status = LeadStatus.RECORDED
        return
    try:
        lead = lead_create(
            name=analysis.contact_name,
            email=analysis.contact_email,
            phone=analysis.contact_phone,
            source="calculator",
            interest_type="solar",
            consent=True,
            organization=analysis.organization,
            metadata={
                "viability_analysis": str(analysis.uuid),
                "system_kwp": str(analysis.system_kwp),
                "monthly_savings": str(analysis.monthly_savings),
                "city": analysis.city,
                "state": analysis.state,
            },
            attribution=contact.get("attribution"),
            ip=contact.get("ip"),
            city=analysis.city,
            state=analysis.state,
        )
    except DomainError as exc:
        logger.warning("lead_create refused the calculator contact: %s", exc)
        analysis.lead_status = LeadStatus.RECORDED
        return
    analysis.lead_status = LeadStatus.CREATED
    analysis.lead_ref = str(lead.pk)


def viability_analysis_create(
    *, data: dict, organization=None, user=None, contact: dict | None = None
) -> SolarViabilityAnalysis:
    """Create an analysis from validated input (see ``engineering.api.serializers``)."""
    analysis = SolarViabilityAnalysis(organization=organization, created_by=user)
    for name in ANALYSIS_INPUT_FIELDS:
        if data.get(name) not in (None, ""):
            setattr(analysis, name, data[name])
    analysis.cep = "".join(ch for ch in str(data.get("cep") or "") if ch.isdigit())[:8]
    analysis.protocol_date = data.get("protocol_date") or timezone.localdate()
    analysis.lat, analysis.lon = data.get("lat"), data.get("lon")
    if data.get("utility"):
        analysis.utility = inputs.utility_get(code=data["utility"])
    if data.get("monthly_kwh"):
        analysis.consumption_input, analysis.monthly_consumption_kwh = (
            ConsumptionInput.MONTHLY,
            list(data["monthly_kwh"]),
        )
    elif data.get("average_kwh") not in (None, ""):
        analysis.consumption_input = ConsumptionInput.AVERAGE
        analysis.monthly_consumption_kwh = [float(data["average_kwh"])] * 12
    elif data.get("bill_brl") not in (None, ""):
        analysis.consumption_input, analysis.monthly_bill_brl = ConsumptionInput.BILL, data["bill_brl"]
    analysis.beneficiaries = [
        {k: (float(v) if isinstance(v, Decimal) else v) for k, v in item.items()}
        for item in data.get("beneficiaries") or []
    ]
    analysis.assumptions = {
        k: float(v) if isinstance(v, Decimal) else v
        for k, v in (data.get("assumptions") or {}).items()
        if k in ASSUMPTION_DEFAULTS and v is not None
    }
    if data.get("topology"):
        analysis.assumptions["topology"] = data["topology"]
    analysis.module_product_id = data.get("module_id")
    analysis.inverter_product_id = data.get("inverter_id")
    if data.get("photogrammetry_id"):
        analysis.photogrammetry = PhotogrammetryAnalysis.objects.filter(pk=data["photogrammetry_id"]).first()
        if analysis.photogrammetry is None:
            raise inputs.AnalysisInputError("photogrammetry_id", _("Unknown roof analysis."))
    if data.get("financing_product_id"):
        analysis.financing_product = FinancingProduct.objects.filter(
            pk=data["financing_product_id"], is_active=True
        ).first()
        if analysis.financing_product is None:
            raise inputs.AnalysisInputError(
                "financing_product_id", _("Unknown or inactive financing product.")
            )
    _compute(analysis)
    with transaction.atomic():
        _contact_record(analysis, contact)
        analysis.save()
    return analysis


def viability_analysis_recompute(*, analysis: SolarViabilityAnalysis) -> SolarViabilityAnalysis:
    """Re-run an analysis with today's data; the stored result is replaced only on success."""
    fresh = SolarViabilityAnalysis.objects.get(pk=analysis.pk)
    _compute(fresh)
    with transaction.atomic():
        locked = SolarViabilityAnalysis.objects.select_for_update().get(pk=analysis.pk)
        fresh.proposal_status = (
            locked.proposal_status if locked.proposal_status != ProposalStatus.READY else ""
        )
        fresh.proposal_path = locked.proposal_path
        fresh.save()
    return fresh


def proposal_request(*, analysis: SolarViabilityAnalysis) -> SolarViabilityAnalysis:
    """Queue the proposal PDF (``engineering.tasks.render_proposal_pdf``) after commit."""
    from engineering.tasks import render_proposal_pdf

    with transaction.atomic():
        locked = SolarViabilityAnalysis.objects.select_for_update().get(pk=analysis.pk)
        locked.proposal_status = ProposalStatus.PENDING
        locked.proposal_error = ""
        locked.save(update_fields=["proposal_status", "proposal_error", "updated_at"])
        transaction.on_commit(lambda: render_proposal_pdf.delay(locked.pk))
    return locked


def protocol_date_default() -> date:
    return timezone.localdate()


# --- integrator pricing ----------------------------------------------------------------------------


def integrator_pricing_get(*, organization) -> IntegratorPricing:
    """The organization's pricing settings, created with the platform defaults on first use."""
    defaults = IntegratorPricing.with_defaults(organization=organization)
    pricing, _created = IntegratorPricing.objects.get_or_create(
        organization=organization, defaults={key: getattr(defaults, key) for key in PRICING_KEYS}
    )
    return pricing


def integrator_pricing_update(*, organization, actor, data: dict) -> IntegratorPricing:
    """Change the pricing settings: owners and admins of an active organization only. Unknown
    keys are ignored; out-of-range values are a ``ValidationError`` on their field."""
    organization_ensure_writable(organization=organization)
    membership = membership_for(user=actor, organization_id=organization.pk)
    if membership is None or not membership.can_manage:
        raise NotAllowed(_("Only owners and admins can change the pricing settings."))
    integrator_pricing_get(organization=organization)
    with transaction.atomic():
        pricing = IntegratorPricing.objects.select_for_update().get(organization=organization)
        for key in PRICING_KEYS:
            if data.get(key) is not None:
                setattr(pricing, key, data[key])
        pricing.updated_by = actor
        pricing.full_clean()
        pricing.save()
    return pricing

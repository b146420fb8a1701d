"""The verdict around the numbers: viability score 0–100 with its factors, recommendation, risks with
mitigations and next steps. Each factor is a documented linear scale, so a score can be explained
line by line to the customer."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from engineering.viability.rules import GdRegime


class Recommendation:
    HIGHLY = "highly_recommended"
    RECOMMENDED = "recommended"
    MARGINAL = "marginal"
    NOT = "not_recommended"
    CHOICES = (
        (HIGHLY, "highly recommended"),
        (RECOMMENDED, "recommended"),
        (MARGINAL, "marginal"),
        (NOT, "not recommended"),
    )


#: factor → weight (sums to 1).
WEIGHTS = {"payback": 0.30, "economic": 0.25, "irradiation": 0.20, "consumption": 0.15, "roof": 0.10}


def _scale(value: float, worst: float, best: float) -> float:
    """0 at ``worst``, 100 at ``best``, linear in between, clamped."""
    if best == worst:
        return 100.0
    share = (value - worst) / (best - worst)
    return round(max(0.0, min(1.0, share)) * 100, 1)


@dataclass(frozen=True)
class Factor:
    key: str
    score: float
    weight: float
    value: float | None
    explanation: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ScoreInputs:
    specific_yield: float  # kWh/kWp/year
    simple_payback_years: float | None
    irr: float | None
    discount_rate: float
    average_consumption_kwh: float
    min_kwh: int
    roof_area_needed_m2: float | None
    roof_area_available_m2: float | None


def score_compute(data: ScoreInputs) -> tuple[float, list[Factor]]:
    payback = data.simple_payback_years
    factors = [
        Factor(
            "payback",
            _scale(-(payback if payback is not None else 99), -12, -3),
            WEIGHTS["payback"],
            payback,
            _("100 at a payback of 3 years or less, 0 at 12 years or more."),
        ),
        Factor(
            "economic",
            _scale((data.irr if data.irr is not None else -1) - data.discount_rate, 0.0, 0.25),
            WEIGHTS["economic"],
            data.irr,
            _("IRR above the discount rate: 0 when equal, 100 when 25 points above."),
        ),
        Factor(
            "irradiation",
            _scale(data.specific_yield, 1000, 1600),
            WEIGHTS["irradiation"],
            data.specific_yield,
            _("Specific yield: 0 at 1,000 kWh/kWp/year, 100 at 1,600."),
        ),
        Factor(
            "consumption",
            _scale(data.average_consumption_kwh - data.min_kwh, 50, 450),
            WEIGHTS["consumption"],
            data.average_consumption_kwh,
            _("Compensable consumption (average minus minimum billing): 0 at 50 kWh/month, 100 at 450."),
        ),
    ]
    if data.roof_area_available_m2 is None or not data.roof_area_needed_m2:
        roof = Factor(
            "roof",
            60.0,
            WEIGHTS["roof"],
            None,
            _("Roof area not informed: neutral 60 until a survey or roof analysis confirms it."),
        )
    else:
        ratio = data.roof_area_available_m2 / data.roof_area_needed_m2
        roof = Factor(
            "roof",
            _scale(ratio, 0.7, 1.2),
            WEIGHTS["roof"],
            round(ratio, 2),
            _("Available over needed roof area: 0 at 70%, 100 at 120% or more."),
        )
    factors.append(roof)
    total = round(sum(f.score * f.weight for f in factors), 1)
    return total, factors


def recommendation_for(*, score: float, npv: float, payback: float | None, horizon: int) -> str:
    if npv <= 0 or payback is None or payback >= horizon:
        return Recommendation.NOT if score < 35 or payback is None else Recommendation.MARGINAL
    if score >= 75:
        return Recommendation.HIGHLY
    if score >= 55:
        return Recommendation.RECOMMENDED
    if score >= 35:
        return Recommendation.MARGINAL
    return Recommendation.NOT


@dataclass(frozen=True)
class RiskContext:
    regime: str
    fio_b_share_year1_pct: float
    offset_pct: float
    average_consumption_kwh: float
    min_kwh: int
    roof_area_needed_m2: float | None
    roof_area_available_m2: float | None
    irradiation_is_fallback: bool
    tariff_is_estimate: bool
    fio_b_is_estimate: bool
    dc_ac_ratio: float | None
    payback_years: float | None
    credits_expired_kwh: float
    shading_known: bool


def _risk(kind: str, severity: str, description: str, mitigation: str) -> dict:
    return {"type": kind, "severity": severity, "description": description, "mitigation": mitigation}


def risks_compute(ctx: RiskContext) -> list[dict]:
    risks = []
    if ctx.regime != GdRegime.GD1:
        risks.append(
            _risk(
                "regulatory",
                "medium",
                _(
                    "Lei 14.300: compensated energy pays a growing share of the TUSD Fio B "
                    "(%(pct)s%% in the first year, 100%% assumed from 2029)."
                )
                % {"pct": f"{ctx.fio_b_share_year1_pct:.0f}"},
                _("Raise self-consumption (daytime loads, battery) and size close to the real consumption."),
            )
        )
    if ctx.offset_pct > 110 or ctx.credits_expired_kwh > 0:
        risks.append(
            _risk(
                "oversizing",
                "medium",
                _(
                    "The system produces more than the units can compensate; "
                    "surplus credits expire after 60 months."
                ),
                _("Reduce the size or add beneficiary units (autoconsumo remoto) to use the credits."),
            )
        )
    if ctx.average_consumption_kwh < 2 * ctx.min_kwh:
        risks.append(
            _risk(
                "low_consumption",
                "high",
                _("Consumption is close to the minimum billing (%(kwh)s kWh), which is never compensated.")
                % {"kwh": ctx.min_kwh},
                _(
                    "Check whether the connection type can be changed "
                    "or whether other units can share the credits."
                ),
            )
        )
    if ctx.roof_area_available_m2 is None:
        risks.append(
            _risk(
                "roof_unknown",
                "low",
                _("Roof area, orientation and structure were not verified."),
                _("Run a roof analysis or a site survey before closing the proposal."),
            )
        )
    elif ctx.roof_area_needed_m2 and ctx.roof_area_available_m2 < ctx.roof_area_needed_m2:
        risks.append(
            _risk(
                "roof_small",
                "high",
                _("The roof (%(available)s m²) is smaller than the area needed (%(needed)s m²).")
                % {
                    "available": f"{ctx.roof_area_available_m2:.0f}",
                    "needed": f"{ctx.roof_area_needed_m2:.0f}",
                },
                _("Use higher-power modules, another roof face or a ground/carport structure."),
            )
        )
    if not ctx.shading_known:
        risks.append(
            _risk(
                "shading",
                "low",
                _("Shading from trees, buildings and parapets was not assessed."),
                _("Check shading on site; prefer micro-inverters or optimizers on partly shaded roofs."),
            )
        )
    if ctx.irradiation_is_fallback:
        risks.append(
            _risk(
                "irradiation_estimate",
                "low",
                _("Irradiation comes from the nearest state capital (Atlas 2017), not from the exact site."),
                _("Confirm the generation estimate with site data (PVGIS or CRESESB SunData)."),
            )
        )
    if ctx.tariff_is_estimate or ctx.fio_b_is_estimate:
        risks.append(
            _risk(
                "tariff_estimate",
                "low",
                _("Taxes (ICMS, PIS/COFINS) and the Fio B share are estimates."),
                _("Confirm with a recent electricity bill of the customer."),
            )
        )
    if ctx.dc_ac_ratio and ctx.dc_ac_ratio > 1.3:
        risks.append(
            _risk(
                "clipping",
                "low",
                _("High DC/AC ratio (%(ratio)s): the inverter will clip on the sunniest hours.")
                % {"ratio": f"{ctx.dc_ac_ratio:.2f}"},
                _("Accept the small loss or choose the next inverter size."),
            )
        )
    if ctx.payback_years is None or ctx.payback_years > 8:
        risks.append(
            _risk(
                "long_payback",
                "high" if ctx.payback_years is None else "medium",
                _("The payback is long; tariff and regulatory changes weigh more over time."),
                _("Negotiate equipment and installation prices or review the size."),
            )
        )
    risks.append(
        _risk(
            "tariff_inflation",
            "low",
            _(
                "Savings assume the tariff grows at the stated rate; "
                "lower readjustments lengthen the payback."
            ),
            _("Present the scenario with lower tariff inflation to the customer as well."),
        )
    )
    return risks


def next_steps(*, financed: bool, has_roof_analysis: bool) -> list[dict]:
    steps = []
    if not has_roof_analysis:
        steps.append(
            {
                "step": "site_survey",
                "title": _("Site survey"),
                "description": _(
                    "Visit to confirm roof, structure, shading and the service entrance (padrão)."
                ),
                "estimated_days": 3,
            }
        )
    steps.append(
        {
            "step": "proposal",
            "title": _("Commercial proposal"),
            "description": _("Send the proposal PDF with equipment, generation, savings and payback."),
            "estimated_days": 1,
        }
    )
    if financed:
        steps.append(
            {
                "step": "credit_analysis",
                "title": _("Credit analysis"),
                "description": _("Submit the financing simulation to the bank for approval."),
                "estimated_days": 5,
            }
        )
    steps += [
        {
            "step": "engineering",
            "title": _("Engineering project and ART/TRT"),
            "description": _("Single-line diagram, memorial descritivo and the professional's ART/TRT."),
            "estimated_days": 3,
        },
        {
            "step": "access_request",
            "title": _("Access request to the utility"),
            "description": _("Solicitação de orçamento de conexão; the utility answers in about 15 days."),
            "estimated_days": 15,
        },
        {
            "step": "installation",
            "title": _("Installation"),
            "description": _("Equipment delivery and installation by the integrator."),
            "estimated_days": 7,
        },
        {
            "step": "inspection",
            "title": _("Inspection and meter exchange"),
            "description": _("Vistoria and bidirectional meter; the system starts compensating."),
            "estimated_days": 7,
        },
    ]
    return steps

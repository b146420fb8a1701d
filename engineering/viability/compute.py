"""The whole viability analysis as a pure function of numbers.

``viability_compute`` takes the resolved inputs (generation per kWp by month, the units with their
tariffs, the system size and its costs, the assumptions) and returns everything the analysis shows:
investment, year-1 monthly balance, 25-year cash flow, metrics, score, recommendation, risks,
scenarios (sizes −20%/+20%, cash and financed) and next steps. The service layer gathers the inputs
from the catalog, the tariffs and the irradiation, and persists the result.

Scenario sizes scale the equipment, balance of system, freight and installation linearly with kWp
(same R$/Wp as the sized system; fixed fees stay, margin and tax follow) — an approximation, said
so in the scenario's note.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from engineering.finance import LoanResult, LoanTerms, loan_simulate
from engineering.viability.advice import (
    RiskContext,
    ScoreInputs,
    next_steps,
    recommendation_for,
    risks_compute,
    score_compute,
)
from engineering.viability.cashflow import CashflowParams, cashflow_build, metrics_compute
from engineering.viability.energy import Allocation, ConsumerUnit, scee_simulate
from engineering.viability.rules import GdRegime, gd_regime


@dataclass
class Costs:
    """What the customer pays, built up from the equipment's distributor prices.

    cost = equipment + BOS + freight + installation + homologation + other; the margin is a
    markup on that cost; the service tax is "por dentro" on the service part (installation,
    homologation, other and margin) — the equipment is billed by the distributor. The new
    fields default to zero so a caller that gives only equipment and installation gets the
    plain sum; the integrator's or the platform's values come from ``IntegratorPricing``."""

    equipment: float  # modules + inverters, from catalog offers
    inverter: float  # inverters only (for the replacement)
    installation_rs_wp: float = 0.80
    homologation_fee: float = 1200.0
    bos_pct: float = 0.0  # structure, cabling, string box, protections: % of equipment
    bos_rs_wp: float = 0.0  # … and/or R$ per Wp
    freight_pct: float = 0.0  # % of equipment + BOS
    other_costs: float = 0.0  # fixed R$ per proposal
    margin_pct: float = 0.0  # markup on the cost
    service_tax_pct: float = 0.0  # "por dentro" on the service part

    def installation(self, kwp: float) -> float:
        return self.installation_rs_wp * kwp * 1000

    def breakdown(self, kwp: float, *, scale: float = 1.0) -> dict[str, float]:
        """Every part of the price for a system of ``kwp`` whose equipment is ``scale`` × ours."""
        equipment = self.equipment * scale
        bos = equipment * self.bos_pct / 100 + self.bos_rs_wp * kwp * 1000
        freight = (equipment + bos) * self.freight_pct / 100
        installation = self.installation(kwp)
        cost = equipment + bos + freight + installation + self.homologation_fee + self.other_costs
        margin = cost * self.margin_pct / 100
        service = installation + self.homologation_fee + self.other_costs + margin
        rate = self.service_tax_pct / 100
        tax = service * rate / (1 - rate) if rate < 1 else 0.0
        return {
            "equipment": equipment,
            "bos": bos,
            "freight": freight,
            "installation": installation,
            "homologation": self.homologation_fee,
            "other": self.other_costs,
            "cost": cost,
            "margin": margin,
            "tax": tax,
            "total": cost + margin + tax,
        }

    def total(self, kwp: float) -> float:
        return self.breakdown(kwp)["total"]


@dataclass
class Assumptions:
    years: int = 25
    simultaneity: float = 0.30
    tariff_inflation: float = 0.05
    discount_rate: float = 0.10
    first_year_degradation_pct: float = 1.0
    annual_degradation_pct: float = 0.5
    om_annual_pct: float = 1.0
    om_inflation: float = 0.045
    inverter_replacement_year: int | None = 12
    inverter_replacement_factor: float = 1.0  # × today's inverter cost
    after_transition_fio_b_pct: float = 100.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class FinancingPlan:
    """How a financed scenario is simulated: a rate, a term and a down payment share."""

    monthly_rate: Decimal
    months: int
    down_payment_pct: float = 0.0
    label: str = ""
    system: str = "price"
    borrower: str = "pf"
    fee_fixed: Decimal = Decimal(0)
    grace_months: int = 0


@dataclass
class ViabilityInputs:
    generation_per_kwp_monthly: list[float]
    kwp: float
    units: list[ConsumerUnit]
    costs: Costs
    protocol_date: date
    start: date
    assumptions: Assumptions = field(default_factory=Assumptions)
    allocation: str = Allocation.PERCENT
    roof_area_needed_m2: float | None = None
    roof_area_available_m2: float | None = None
    dc_ac_ratio: float | None = None
    irradiation_is_fallback: bool = False
    tariff_is_estimate: bool = False
    fio_b_is_estimate: bool = False
    shading_known: bool = False
    has_roof_analysis: bool = False
    financing: FinancingPlan | None = None


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _loan(plan: FinancingPlan, investment: float, start: date) -> tuple[LoanResult, float]:
    down = round(investment * plan.down_payment_pct / 100, 2)
    result = loan_simulate(
        LoanTerms(
            amount=Decimal(str(round(investment - down, 2))),
            monthly_rate=plan.monthly_rate,
            months=plan.months,
            system=plan.system,
            borrower=plan.borrower,
            release_date=start,
            fee_fixed=plan.fee_fixed,
            grace_months=plan.grace_months,
        )
    )
    return result, down


def _loan_by_year(loan: LoanResult) -> dict[int, float]:
    by_year: dict[int, float] = {}
    for row in loan.schedule:
        year = (loan.terms.grace_months + row.number - 1) // 12 + 1
        by_year[year] = by_year.get(year, 0.0) + float(row.payment)
    return by_year


def _run(inputs: ViabilityInputs, *, kwp: float, plan: FinancingPlan | None) -> dict:
    a = inputs.assumptions
    generation = [g * kwp for g in inputs.generation_per_kwp_monthly]
    energy = scee_simulate(
        generation_monthly_kwh=generation,
        units=inputs.units,
        simultaneity=a.simultaneity,
        years=a.years,
        start=inputs.start,
        protocol_date=inputs.protocol_date,
        tariff_inflation=a.tariff_inflation,
        allocation=inputs.allocation,
        first_year_degradation_pct=a.first_year_degradation_pct,
        annual_degradation_pct=a.annual_degradation_pct,
        after_transition_pct=a.after_transition_fio_b_pct,
    )
    scale = kwp / inputs.kwp if inputs.kwp else 1.0
    prices = inputs.costs.breakdown(kwp, scale=scale)
    investment = prices["total"]
    params = CashflowParams(
        discount_rate=a.discount_rate,
        om_annual_pct=a.om_annual_pct,
        om_inflation=a.om_inflation,
        inverter_replacement_year=a.inverter_replacement_year,
        inverter_replacement_cost=inputs.costs.inverter * scale * a.inverter_replacement_factor,
    )
    loan = None
    upfront = investment
    loan_by_year = None
    if plan is not None:
        loan, upfront = _loan(plan, investment, inputs.start)
        loan_by_year = _loan_by_year(loan)
    rows = cashflow_build(
        energy=energy, investment=investment, params=params, upfront=upfront, loan_by_year=loan_by_year
    )
    metrics = metrics_compute(
        rows=rows, upfront=upfront, investment=investment, discount_rate=a.discount_rate
    )
    return {
        "energy": energy,
        "rows": rows,
        "metrics": metrics,
        "investment": investment,
        "prices": prices,
        "loan": loan,
        "upfront": upfront,
    }


def _scenario(key: str, label: str, kwp: float, run: dict, note: str = "") -> dict:
    m = run["metrics"]
    loan = run["loan"]
    data = {
        "key": key,
        "label": label,
        "kwp": round(kwp, 2),
        "investment": round(run["investment"], 2),
        "upfront": round(run["upfront"], 2),
        "annual_generation_kwh": round(run["energy"][0].generation_kwh, 0),
        "year1_savings": round(m.year1_savings, 2),
        "simple_payback_years": _r(m.simple_payback_years),
        "irr": _r(m.irr, 4),
        "npv": round(m.npv, 2),
        "roi_pct": round(m.roi_pct, 1),
        "note": note,
    }
    if loan is not None:
        data["financing"] = {
            "monthly_rate": str(loan.terms.monthly_rate),
            "months": loan.terms.months,
            "first_payment": str(loan.first_payment),
            "cet_annual_pct": str(loan.cet.annual_pct),
            "monthly_net_year1": round(m.year1_savings / 12 - float(loan.first_payment), 2),
        }
    return data


def viability_compute(inputs: ViabilityInputs) -> dict:
    a = inputs.assumptions
    base = _run(inputs, kwp=inputs.kwp, plan=None)
    metrics = base["metrics"]
    energy = base["energy"]
    year1 = energy[0]
    generator = inputs.units[0]
    consumption_year = sum(sum(u.monthly_kwh) for u in inputs.units)
    annual_generation_nameplate = sum(inputs.generation_per_kwp_monthly) * inputs.kwp
    specific_yield = sum(inputs.generation_per_kwp_monthly)
    average_consumption = sum(generator.monthly_kwh) / 12
    regime = gd_regime(inputs.protocol_date)
    score, factors = score_compute(
        ScoreInputs(
            specific_yield=specific_yield,
            simple_payback_years=metrics.simple_payback_years,
            irr=metrics.irr,
            discount_rate=a.discount_rate,
            average_consumption_kwh=average_consumption,
            min_kwh=generator.min_kwh,
            roof_area_needed_m2=inputs.roof_area_needed_m2,
            roof_area_available_m2=inputs.roof_area_available_m2,
        )
    )
    offset_pct = year1.generation_kwh / consumption_year * 100 if consumption_year else 0.0
    risks = risks_compute(
        RiskContext(
            regime=regime,
            fio_b_share_year1_pct=year1.fio_b_pct,
            offset_pct=offset_pct,
            average_consumption_kwh=average_consumption,
            min_kwh=generator.min_kwh,
            roof_area_needed_m2=inputs.roof_area_needed_m2,
            roof_area_available_m2=inputs.roof_area_available_m2,
            irradiation_is_fallback=inputs.irradiation_is_fallback,
            tariff_is_estimate=inputs.tariff_is_estimate,
            fio_b_is_estimate=inputs.fio_b_is_estimate,
            dc_ac_ratio=inputs.dc_ac_ratio,
            payback_years=metrics.simple_payback_years,
            credits_expired_kwh=sum(u.credits_expired_kwh for y in energy for u in y.units),
            shading_known=inputs.shading_known,
        )
    )
    scenarios = [_scenario("base", _("Proposed system, paid in cash"), inputs.kwp, base)]
    size_note = _("Cost scaled linearly with the size (same R$/Wp).")
    for key, factor, label in (
        # xgettext:no-python-format
        ("smaller", 0.8, _("System 20% smaller")),
        # xgettext:no-python-format
        ("larger", 1.2, _("System 20% larger")),
    ):
        kwp = inputs.kwp * factor
        scenarios.append(_scenario(key, label, kwp, _run(inputs, kwp=kwp, plan=None), size_note))
    financed = None
    if inputs.financing is not None:
        financed = _run(inputs, kwp=inputs.kwp, plan=inputs.financing)
        scenarios.append(
            _scenario(
                "financed",
                inputs.financing.label or _("Proposed system, financed"),
                inputs.kwp,
                financed,
                _("Year 0 is the down payment; installments are paid from the savings."),
            )
        )
    months = []
    for month in range(12):
        row = {
            "month": month + 1,
            "generation_kwh": 0.0,
            "consumption_kwh": 0.0,
            "compensated_kwh": 0.0,
            "bill_without": 0.0,
            "bill_with": 0.0,
        }
        for unit_months in year1.months:
            m = unit_months[month]
            row["consumption_kwh"] += m.consumption_kwh
            row["compensated_kwh"] += m.compensated_kwh + m.self_consumed_kwh
            row["bill_without"] += m.bill_without_rs
            row["bill_with"] += m.bill_with_rs
        row["generation_kwh"] = (
            inputs.generation_per_kwp_monthly[month] * inputs.kwp * (1 - a.first_year_degradation_pct / 100)
        )
        row["savings"] = row["bill_without"] - row["bill_with"]
        months.append({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()})
    units = []
    for i, unit in enumerate(inputs.units):
        totals = year1.units[i]
        units.append(
            {
                "name": unit.name,
                "role": "generator" if i == 0 else "beneficiary",
                "share_pct": unit.share_pct if i else None,
                "priority": unit.priority if i else None,
                "consumption_kwh": round(totals.consumption_kwh, 1),
                "self_consumed_kwh": round(totals.self_consumed_kwh, 1),
                "credits_received_kwh": round(totals.credits_received_kwh, 1),
                "compensated_kwh": round(totals.compensated_kwh, 1),
                "billed_kwh": round(totals.billed_kwh, 1),
                "credit_balance_kwh": round(totals.credit_balance_kwh, 1),
                "tariff_rs_kwh": round(unit.tariff_rs_kwh, 5),
                "bill_without": round(totals.bill_without_rs, 2),
                "bill_with": round(totals.bill_with_rs, 2),
                "fio_b_cost": round(totals.fio_b_rs, 2),
                "savings": round(totals.savings_rs, 2),
                "min_kwh": unit.min_kwh,
            }
        )
    recommendation = recommendation_for(
        score=score, npv=metrics.npv, payback=metrics.simple_payback_years, horizon=a.years
    )
    return {
        "regime": regime,
        "regime_label": str(GdRegime.LABELS[regime]),
        "investment": {
            **{key: round(value, 2) for key, value in base["prices"].items()},
            "per_wp": round(base["investment"] / (inputs.kwp * 1000), 2) if inputs.kwp else None,
        },
        "energy": {
            "annual_generation_kwh": round(year1.generation_kwh, 1),
            "annual_generation_nameplate_kwh": round(annual_generation_nameplate, 1),
            "specific_yield_kwh_kwp": round(specific_yield, 1),
            "annual_consumption_kwh": round(consumption_year, 1),
            "offset_pct": round(offset_pct, 1),
            "self_consumed_kwh": round(year1.self_consumed_kwh, 1),
            "injected_kwh": round(year1.injected_kwh, 1),
            "compensated_kwh": round(year1.compensated_kwh, 1),
            "fio_b_pct_year1": year1.fio_b_pct,
        },
        "months": months,
        "units": units,
        "cashflow": [r.as_dict() for r in base["rows"]],
        "metrics": {
            "monthly_savings": round(metrics.monthly_savings, 2),
            "annual_savings": round(metrics.year1_savings, 2),
            "total_savings": round(metrics.total_savings, 2),
            "simple_payback_years": _r(metrics.simple_payback_years),
            "discounted_payback_years": _r(metrics.discounted_payback_years),
            "irr": _r(metrics.irr, 4),
            "npv": round(metrics.npv, 2),
            "lcoe_rs_kwh": _r(metrics.lcoe_rs_kwh, 4),
            "roi_pct": round(metrics.roi_pct, 1),
        },
        "score": score,
        "factors": [f.as_dict() for f in factors],
        "recommendation": recommendation,
        "is_viable": metrics.npv > 0
        and metrics.simple_payback_years is not None
        and metrics.simple_payback_years < a.years,
        "risks": risks,
        "scenarios": scenarios,
        "financed_cashflow": [r.as_dict() for r in financed["rows"]] if financed else [],
        "next_steps": next_steps(
            financed=inputs.financing is not None, has_roof_analysis=inputs.has_roof_analysis
        ),
        "assumptions": inputs.assumptions.as_dict(),
    }


def inputs_with(inputs: ViabilityInputs, **changes) -> ViabilityInputs:
    return replace(inputs, **changes)

"""The investor's view: 25-year cash flow and its metrics.

Year 0 is the investment (or, financed, the down payment); each year then brings the bill savings of
every unit minus O&M (a share of the investment, indexed by ``om_inflation``), minus the inverter
replacement in ``inverter_replacement_year``, minus the loan installments when financed.

* simple payback: when the cumulative cash flow turns positive, interpolated inside the year;
* discounted payback: the same on flows discounted at ``discount_rate``;
* IRR and NPV (``engineering.finance.irr/npv``);
* LCOE: (investment + present value of O&M and replacements) / present value of the energy produced;
* ROI: (sum of the yearly net flows − investment) / investment.
"""

from __future__ import annotations

from dataclasses import dataclass

from engineering.finance import irr, npv
from engineering.viability.energy import EnergyYear


@dataclass(frozen=True)
class CashflowParams:
    discount_rate: float = 0.10
    om_annual_pct: float = 1.0  # % of the investment per year
    om_inflation: float = 0.045
    inverter_replacement_year: int | None = 12
    inverter_replacement_cost: float = 0.0


@dataclass
class CashYear:
    year: int
    calendar_year: int
    generation_kwh: float
    savings: float
    om: float
    replacement: float
    loan: float
    net: float
    cumulative: float
    discounted: float
    cumulative_discounted: float

    def as_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in self.__dict__.items()}


@dataclass
class Metrics:
    simple_payback_years: float | None
    discounted_payback_years: float | None
    irr: float | None
    npv: float
    lcoe_rs_kwh: float | None
    roi_pct: float
    total_savings: float
    total_net: float
    year1_savings: float

    @property
    def monthly_savings(self) -> float:
        return self.year1_savings / 12


def payback_years(initial: float, flows: list[float]) -> float | None:
    """Years until ``−initial + Σ flows`` turns non-negative for good, interpolated inside the
    crossing year; None when it ends negative; 0 when it never goes below zero (e.g. a financed
    system whose savings cover the installments from the first month). ``flows[0]`` is year 1."""
    cumulative = -initial
    crossing: float | None = 0.0 if cumulative >= 0 else None
    for year, flow in enumerate(flows, start=1):
        before = cumulative
        cumulative += flow
        if before < 0 <= cumulative:
            crossing = year - 1 + (-before) / flow
        elif cumulative < 0:
            crossing = None
    return crossing


def cashflow_build(
    *,
    energy: list[EnergyYear],
    investment: float,
    params: CashflowParams,
    upfront: float | None = None,
    loan_by_year: dict[int, float] | None = None,
) -> list[CashYear]:
    """Yearly flows. ``upfront`` is what leaves the pocket at year 0 (the investment, or the down
    payment when financed); ``loan_by_year`` the installments paid in each year."""
    upfront = investment if upfront is None else upfront
    loan_by_year = loan_by_year or {}
    rows = []
    cumulative = -upfront
    cumulative_discounted = -upfront
    for item in energy:
        om = investment * params.om_annual_pct / 100 * (1 + params.om_inflation) ** (item.year - 1)
        replacement = (
            params.inverter_replacement_cost if item.year == params.inverter_replacement_year else 0.0
        )
        loan = loan_by_year.get(item.year, 0.0)
        net = item.savings_rs - om - replacement - loan
        discounted = net / (1 + params.discount_rate) ** item.year
        cumulative += net
        cumulative_discounted += discounted
        rows.append(
            CashYear(
                year=item.year,
                calendar_year=item.calendar_year,
                generation_kwh=item.generation_kwh,
                savings=item.savings_rs,
                om=om,
                replacement=replacement,
                loan=loan,
                net=net,
                cumulative=cumulative,
                discounted=discounted,
                cumulative_discounted=cumulative_discounted,
            )
        )
    return rows


def metrics_compute(
    *, rows: list[CashYear], upfront: float, investment: float, discount_rate: float
) -> Metrics:
    nets = [r.net for r in rows]
    flows = [-upfront, *nets]
    rate = irr(flows) if upfront > 0 else None  # no capital at risk: no rate of return
    present_energy = sum(r.generation_kwh / (1 + discount_rate) ** r.year for r in rows)
    present_costs = investment + sum((r.om + r.replacement) / (1 + discount_rate) ** r.year for r in rows)
    total_net = sum(nets)
    base = upfront if upfront > 0 else investment
    return Metrics(
        simple_payback_years=payback_years(upfront, nets),
        discounted_payback_years=payback_years(upfront, [r.discounted for r in rows]),
        irr=rate,
        npv=npv(discount_rate, flows),
        lcoe_rs_kwh=present_costs / present_energy if present_energy > 0 else None,
        roi_pct=(total_net - upfront) / base * 100 if base > 0 else 0.0,
        total_savings=sum(r.savings for r in rows),
        total_net=total_net,
        year1_savings=rows[0].savings if rows else 0.0,
    )

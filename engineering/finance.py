"""Loan math for solar financing: Price and SAC tables, IOF, fees and the CET.

Everything is ``Decimal`` BRL rounded to the cent with ROUND_HALF_UP (ABNT NBR 5891). The last
installment absorbs the rounding residue so the table always amortizes the principal exactly.

* **Price** (French system): constant installment ``P·i / (1 − (1+i)^−n)``; each month's interest is
  the balance × i, the amortization is the rest.
* **SAC**: constant amortization ``P / n``; the installment falls as the balance does.
* **Grace period** (carência): interest accrues monthly and is capitalized into the balance; the
  first installment falls ``grace_months + 1`` months after release.
* **IOF-crédito** (Decreto 6.306/2007 art. 7, DOMAIN.md §9): a daily rate on each amortization
  portion × the days from release to its due date (capped at 365 days), plus a flat additional rate
  on the amount financed. Rates per borrower kind are in ``IOF_RATES``.
* **Fees** (TAC, registration) and IOF are either paid upfront by the borrower (they reduce the net
  amount released) or financed (added to the principal; IOF then depends on itself, solved by a
  fixed-point iteration that converges in a few rounds because the rate is ~3%).
* **CET** (Res. CMN 4.881/2020): the internal rate of return of the borrower's real cash flow —
  net amount released at t=0 against each installment at its month. Monthly IRR, annualized by
  monthly compounding ``(1+m)^12 − 1``, which reproduces the BCB worked example (R$ 1.000, fees
  R$ 60 upfront, 5 × R$ 205,73 → 3,08% a.m. = 43,93% a.a.).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from ysh.errors import DomainError

CENT = Decimal("0.01")
RATE_Q = Decimal("0.000001")


class AmortizationSystem:
    PRICE = "price"
    SAC = "sac"
    CHOICES = (PRICE, SAC)


class BorrowerKind:
    PF = "pf"  # pessoa física
    PJ = "pj"  # pessoa jurídica
    SIMPLES = "simples"  # Simples Nacional / MEI operations up to R$ 30.000
    CHOICES = (PF, PJ, SIMPLES)


@dataclass(frozen=True)
class IofRate:
    daily: Decimal  # fraction per day
    additional: Decimal  # flat fraction on the amount financed
    max_days: int = 365


#: IOF-crédito rates in force (Decreto 6.306/2007 as amended by Decretos 12.466/12.499 of 2025).
#: PF 0,0082%/day + 0,38%; PJ 0,0082%/day + 0,38% (2025 rule); Simples/MEI up to R$ 30k
#: 0,00274%/day + 0,38%. Daily part capped at 365 days.
IOF_RATES: dict[str, IofRate] = {
    BorrowerKind.PF: IofRate(daily=Decimal("0.000082"), additional=Decimal("0.0038")),
    BorrowerKind.PJ: IofRate(daily=Decimal("0.000082"), additional=Decimal("0.0038")),
    BorrowerKind.SIMPLES: IofRate(daily=Decimal("0.0000274"), additional=Decimal("0.0038")),
}


class FinancingError(DomainError):
    code = "invalid_financing"


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def monthly_from_annual(annual: Decimal) -> Decimal:
    """Equivalent monthly rate of an annual effective rate (compound)."""
    return Decimal(str((1 + float(annual)) ** (1 / 12) - 1)).quantize(Decimal("0.0000000001"))


def annual_from_monthly(monthly: Decimal | float) -> Decimal:
    return Decimal(str((1 + float(monthly)) ** 12 - 1)).quantize(Decimal("0.0000000001"))


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: date
    payment: Decimal
    interest: Decimal
    amortization: Decimal
    balance: Decimal  # after this payment

    def as_dict(self) -> dict:
        data = asdict(self)
        data["due_date"] = self.due_date.isoformat()
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


def _validate_loan(principal: Decimal, monthly_rate: Decimal, months: int) -> None:
    errors = {}
    if principal <= 0:
        errors["amount"] = [_("The amount financed must be positive.")]
    if monthly_rate < 0 or monthly_rate > Decimal("0.2"):
        errors["monthly_rate"] = [_("The monthly rate must be between 0% and 20%.")]
    if months < 1 or months > 420:
        errors["term_months"] = [_("The term must be between 1 and 420 months.")]
    if errors:
        raise FinancingError(_("Invalid loan parameters."), extra=errors)


def _capitalize_grace(principal: Decimal, monthly_rate: Decimal, grace_months: int) -> Decimal:
    balance = principal
    for _month in range(grace_months):
        balance = money(balance * (1 + monthly_rate))
    return balance


def price_table(
    *,
    principal: Decimal,
    monthly_rate: Decimal,
    months: int,
    release_date: date,
    grace_months: int = 0,
) -> list[Installment]:
    """French amortization: constant installment, the last one adjusted to zero the balance."""
    principal, monthly_rate = Decimal(principal), Decimal(monthly_rate)
    _validate_loan(principal, monthly_rate, months)
    balance = _capitalize_grace(principal, monthly_rate, grace_months)
    if monthly_rate == 0:
        payment = money(balance / months)
    else:
        factor = (1 + monthly_rate) ** months
        payment = money(balance * monthly_rate * factor / (factor - 1))
    rows = []
    for number in range(1, months + 1):
        interest = money(balance * monthly_rate)
        if number == months:
            amortization = balance
            installment = amortization + interest
        else:
            amortization = payment - interest
            installment = payment
        balance = balance - amortization
        rows.append(
            Installment(
                number=number,
                due_date=release_date + relativedelta(months=grace_months + number),
                payment=installment,
                interest=interest,
                amortization=amortization,
                balance=balance,
            )
        )
    return rows


def sac_table(
    *,
    principal: Decimal,
    monthly_rate: Decimal,
    months: int,
    release_date: date,
    grace_months: int = 0,
) -> list[Installment]:
    """Constant amortization; the last amortization takes the rounding residue."""
    principal, monthly_rate = Decimal(principal), Decimal(monthly_rate)
    _validate_loan(principal, monthly_rate, months)
    balance = _capitalize_grace(principal, monthly_rate, grace_months)
    amortization_base = money(balance / months)
    rows = []
    for number in range(1, months + 1):
        interest = money(balance * monthly_rate)
        amortization = balance if number == months else amortization_base
        balance = balance - amortization
        rows.append(
            Installment(
                number=number,
                due_date=release_date + relativedelta(months=grace_months + number),
                payment=amortization + interest,
                interest=interest,
                amortization=amortization,
                balance=balance,
            )
        )
    return rows


def amortization_table(*, system: str, **kwargs) -> list[Installment]:
    if system == AmortizationSystem.SAC:
        return sac_table(**kwargs)
    if system == AmortizationSystem.PRICE:
        return price_table(**kwargs)
    raise FinancingError(_("Unknown amortization system."), extra={"system": [_("Use price or sac.")]})


@dataclass(frozen=True)
class Iof:
    daily: Decimal
    additional: Decimal

    @property
    def total(self) -> Decimal:
        return self.daily + self.additional


def iof_compute(
    *, schedule: Sequence[Installment], principal: Decimal, release_date: date, borrower: str
) -> Iof:
    """IOF-crédito: Σ amortization_j × daily rate × min(days_j, 365) + additional × principal.

    With a grace period the table amortizes the capitalized balance; the tax base of each portion
    is its share of the original principal (interest capitalized is not credit released)."""
    rate = IOF_RATES.get(borrower)
    if rate is None:
        raise FinancingError(
            _("Unknown borrower kind."), extra={"borrower_type": [_("Use pf, pj or simples.")]}
        )
    principal = Decimal(principal)
    amortized = sum((row.amortization for row in schedule), Decimal(0))
    scale = principal / amortized if amortized else Decimal(1)
    daily = Decimal(0)
    for row in schedule:
        days = min((row.due_date - release_date).days, rate.max_days)
        daily += row.amortization * scale * rate.daily * days
    return Iof(daily=money(daily), additional=money(principal * rate.additional))


# --- IRR / NPV -------------------------------------------------------------------------------------


def npv(rate: float, cashflows: Sequence[float]) -> float:
    """Net present value with ``cashflows[0]`` at t=0 and one period between flows."""
    return sum(cf / (1 + rate) ** t for t, cf in enumerate(cashflows))


def irr(cashflows: Sequence[float], *, low: float = -0.99, high: float = 10.0) -> float | None:
    """The rate that zeroes the NPV, or None when the flows never change sign (no IRR).

    Bisection on a bracket where the NPV changes sign, refined by Newton steps: robust for the
    conventional flows here (one outflow, then inflows) and exact to ~1e-12."""
    flows = [float(cf) for cf in cashflows]
    if not (any(cf > 0 for cf in flows) and any(cf < 0 for cf in flows)):
        return None
    f_low, f_high = npv(low, flows), npv(high, flows)
    if f_low * f_high > 0:
        return None
    for _step in range(200):
        mid = (low + high) / 2
        f_mid = npv(mid, flows)
        if abs(f_mid) < 1e-10 or high - low < 1e-13:
            return mid
        if f_low * f_mid < 0:
            high, f_high = mid, f_mid
        else:
            low, f_low = mid, f_mid
    return (low + high) / 2


@dataclass(frozen=True)
class Cet:
    monthly: Decimal  # fraction, e.g. 0.030813
    annual: Decimal

    @property
    def monthly_pct(self) -> Decimal:
        return (self.monthly * 100).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def annual_pct(self) -> Decimal:
        return (self.annual * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def cet_compute(*, net_released: Decimal, payments: Sequence[tuple[int, Decimal]]) -> Cet:
    """CET as the IRR of the borrower's cash flow: ``net_released`` at month 0 and each payment at
    its month number. ``payments`` is ``[(month, amount), …]``."""
    if not payments:
        raise FinancingError(_("A loan needs at least one payment."))
    horizon = max(month for month, _amount in payments)
    flows = [0.0] * (horizon + 1)
    flows[0] = float(net_released)
    for month, amount in payments:
        flows[month] -= float(amount)
    monthly = irr(flows)
    if monthly is None or math.isnan(monthly):
        raise FinancingError(_("The cash flow of this loan has no effective rate."))
    monthly_d = Decimal(str(monthly)).quantize(Decimal("0.00000001"))
    return Cet(monthly=monthly_d, annual=annual_from_monthly(monthly).quantize(Decimal("0.00000001")))


# --- a whole simulation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanTerms:
    amount: Decimal  # what the borrower needs (system cost − down payment)
    monthly_rate: Decimal
    months: int
    system: str = AmortizationSystem.PRICE
    borrower: str = BorrowerKind.PF
    release_date: date | None = None
    grace_months: int = 0
    fee_fixed: Decimal = Decimal(0)  # TAC / registration, R$
    fee_pct: Decimal = Decimal(0)  # fraction of the amount
    costs_financed: bool = True  # fees and IOF added to the principal (usual in CDC solar)
    iof_exempt: bool = False  # e.g. some BNDES/FNE lines


@dataclass
class LoanResult:
    terms: LoanTerms
    principal: Decimal  # what is borrowed (amount + financed costs)
    net_released: Decimal  # what the borrower actually gets
    iof: Iof
    fees: Decimal
    schedule: list[Installment]
    cet: Cet
    total_paid: Decimal
    total_interest: Decimal
    first_payment: Decimal
    last_payment: Decimal
    notes: list[str] = field(default_factory=list)

    @property
    def annual_rate(self) -> Decimal:
        return annual_from_monthly(self.terms.monthly_rate)


def loan_simulate(terms: LoanTerms) -> LoanResult:
    """The full loan: principal with financed costs, the table, IOF, and the CET."""
    if terms.months < 1:
        raise FinancingError(_("Invalid loan parameters."), extra={"term_months": [_("At least 1 month.")]})
    if terms.grace_months < 0 or terms.grace_months > 12:
        raise FinancingError(
            _("Invalid loan parameters."),
            extra={"grace_months": [_("The grace period must be 0 to 12 months.")]},
        )
    amount = Decimal(terms.amount)
    release = terms.release_date or date.today()
    fees = money(Decimal(terms.fee_fixed) + amount * Decimal(terms.fee_pct))
    kwargs = {
        "monthly_rate": Decimal(terms.monthly_rate),
        "months": terms.months,
        "release_date": release,
        "grace_months": terms.grace_months,
    }
    zero_iof = Iof(Decimal(0), Decimal(0))

    def tax(principal: Decimal, schedule: list[Installment]) -> Iof:
        if terms.iof_exempt:
            return zero_iof
        return iof_compute(
            schedule=schedule, principal=principal, release_date=release, borrower=terms.borrower
        )

    if terms.costs_financed:
        principal = amount + fees
        iof = zero_iof
        for _round in range(20):  # IOF on a principal that includes the IOF itself
            schedule = amortization_table(system=terms.system, principal=principal, **kwargs)
            iof = tax(principal, schedule)
            target = amount + fees + iof.total
            if target == principal:
                break
            principal = target
        schedule = amortization_table(system=terms.system, principal=principal, **kwargs)
        net = amount
    else:
        principal = amount
        schedule = amortization_table(system=terms.system, principal=principal, **kwargs)
        iof = tax(principal, schedule)
        net = amount - fees - iof.total
        if net <= 0:
            raise FinancingError(_("Fees and taxes exceed the amount financed."))
    cet = cet_compute(
        net_released=net,
        payments=[(terms.grace_months + row.number, row.payment) for row in schedule],
    )
    total_paid = sum((row.payment for row in schedule), Decimal(0))
    return LoanResult(
        terms=terms,
        principal=principal,
        net_released=net,
        iof=iof,
        fees=fees,
        schedule=schedule,
        cet=cet,
        total_paid=total_paid,
        total_interest=total_paid - principal,
        first_payment=schedule[0].payment,
        last_payment=schedule[-1].payment,
    )

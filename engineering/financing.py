"""Financing services: simulate a loan with a configured product or a custom rate, compare every
eligible product for an amount, persist simulations, and move them through the credit-analysis
workflow (simulated → requested → under analysis → approved/rejected, or cancelled) with history.
The math is ``engineering.finance``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engineering.finance import FinancingError, LoanResult, LoanTerms, loan_simulate, monthly_from_annual
from engineering.models import (
    CREDIT_TRANSITIONS,
    AmortizationSystem,
    CreditStatus,
    CreditStatusEvent,
    FinancingProduct,
    FinancingSimulation,
)
from ysh.errors import InvalidState


@dataclass(frozen=True)
class LoanRequest:
    system_cost: Decimal
    down_payment: Decimal
    term_months: int
    borrower_type: str = "pf"
    grace_months: int = 0
    release_date: date | None = None

    @property
    def amount(self) -> Decimal:
        return self.system_cost - self.down_payment


def _request_validate(request: LoanRequest) -> None:
    errors = {}
    if request.system_cost <= 0:
        errors["system_cost"] = [_("The system cost must be positive.")]
    if request.down_payment < 0:
        errors["down_payment"] = [_("The down payment cannot be negative.")]
    elif request.system_cost > 0 and request.down_payment >= request.system_cost:
        errors["down_payment"] = [_("The down payment must be less than the system cost.")]
    if errors:
        raise FinancingError(_("Invalid financing request."), extra=errors)


def product_ineligibility(product: FinancingProduct, request: LoanRequest) -> str | None:
    """Why ``product`` cannot finance ``request``, or None."""
    if not product.is_active:
        return _("product inactive")
    if not product.accepts(request.borrower_type):
        return _("not offered to this kind of borrower")
    if not product.min_term_months <= request.term_months <= product.max_term_months:
        return _("term outside %(lo)s–%(hi)s months") % {
            "lo": product.min_term_months,
            "hi": product.max_term_months,
        }
    if request.amount < product.min_amount:
        return _("amount below the minimum of R$ %(min)s") % {"min": product.min_amount}
    if product.max_amount is not None and request.amount > product.max_amount:
        return _("amount above the maximum of R$ %(max)s") % {"max": product.max_amount}
    if request.grace_months > product.max_grace_months:
        return _("grace above %(max)s months") % {"max": product.max_grace_months}
    return None


def loan_for(
    *,
    request: LoanRequest,
    product: FinancingProduct | None = None,
    monthly_rate: Decimal | None = None,
    system: str | None = None,
) -> LoanResult:
    _request_validate(request)
    if product is not None:
        reason = product_ineligibility(product, request)
        if reason:
            raise FinancingError(
                _("%(product)s cannot finance this: %(reason)s.") % {"product": product, "reason": reason},
                extra={"product_id": [reason]},
            )
        terms = LoanTerms(
            amount=request.amount,
            monthly_rate=product.monthly_rate_pct / 100,
            months=request.term_months,
            system=system or product.amortization_system,
            borrower=request.borrower_type,
            release_date=request.release_date or timezone.localdate(),
            grace_months=request.grace_months,
            fee_fixed=product.fee_fixed,
            fee_pct=product.fee_pct / 100,
            costs_financed=product.costs_financed,
            iof_exempt=product.iof_exempt,
        )
    else:
        if monthly_rate is None:
            raise FinancingError(
                _("Choose a financing product or give a rate."),
                extra={"monthly_rate_pct": [_("A monthly rate is required without a product.")]},
            )
        terms = LoanTerms(
            amount=request.amount,
            monthly_rate=Decimal(monthly_rate),
            months=request.term_months,
            system=system or AmortizationSystem.PRICE,
            borrower=request.borrower_type,
            release_date=request.release_date or timezone.localdate(),
            grace_months=request.grace_months,
        )
    return loan_simulate(terms)


def loan_summary(loan: LoanResult, *, product: FinancingProduct | None = None) -> dict:
    return {
        "product_id": product.pk if product else None,
        "bank": product.bank if product else "",
        "product": product.name if product else _("custom rate"),
        "system": loan.terms.system,
        "monthly_rate_pct": str((loan.terms.monthly_rate * 100).quantize(Decimal("0.0001"))),
        "annual_rate_pct": str((loan.annual_rate * 100).quantize(Decimal("0.01"))),
        "term_months": loan.terms.months,
        "principal": str(loan.principal),
        "net_released": str(loan.net_released),
        "fees": str(loan.fees),
        "iof": str(loan.iof.total),
        "first_payment": str(loan.first_payment),
        "last_payment": str(loan.last_payment),
        "total_paid": str(loan.total_paid),
        "total_interest": str(loan.total_interest),
        "cet_monthly_pct": str(loan.cet.monthly_pct),
        "cet_annual_pct": str(loan.cet.annual_pct),
    }


def financing_compare(*, request: LoanRequest, products=None) -> dict:
    """Every active product simulated for ``request``, eligible ones ranked by CET (the true cost),
    and the others listed with the reason they do not apply."""
    _request_validate(request)
    products = list(products if products is not None else FinancingProduct.objects.filter(is_active=True))
    eligible, ineligible = [], []
    for product in products:
        reason = product_ineligibility(product, request)
        if reason:
            ineligible.append(
                {"product_id": product.pk, "bank": product.bank, "product": product.name, "reason": reason}
            )
            continue
        eligible.append(loan_summary(loan_for(request=request, product=product), product=product))
    eligible.sort(key=lambda row: (Decimal(row["cet_annual_pct"]), Decimal(row["total_paid"])))
    return {"options": eligible, "ineligible": ineligible}


@transaction.atomic
def financing_simulation_create(
    *,
    request: LoanRequest,
    product: FinancingProduct | None = None,
    monthly_rate: Decimal | None = None,
    annual_rate: Decimal | None = None,
    system: str | None = None,
    organization=None,
    user=None,
    analysis=None,
    compare: bool = True,
) -> FinancingSimulation:
    if monthly_rate is None and annual_rate is not None:
        monthly_rate = monthly_from_annual(Decimal(annual_rate))
    loan = loan_for(request=request, product=product, monthly_rate=monthly_rate, system=system)
    alternatives = financing_compare(request=request)["options"] if compare else []
    simulation = FinancingSimulation.objects.create(
        organization=organization,
        created_by=user,
        analysis=analysis,
        product=product,
        bank=product.bank if product else "",
        borrower_type=request.borrower_type,
        system_cost=request.system_cost,
        down_payment=request.down_payment,
        amount=request.amount,
        principal=loan.principal,
        net_released=loan.net_released,
        term_months=request.term_months,
        grace_months=request.grace_months,
        monthly_rate=Decimal(loan.terms.monthly_rate).quantize(Decimal("0.0000001")),
        annual_rate=loan.annual_rate.quantize(Decimal("0.0000001")),
        amortization_system=loan.terms.system,
        fees=loan.fees,
        iof=loan.iof.total,
        first_payment=loan.first_payment,
        last_payment=loan.last_payment,
        total_paid=loan.total_paid,
        total_interest=loan.total_interest,
        cet_monthly_pct=loan.cet.monthly_pct,
        cet_annual_pct=loan.cet.annual_pct,
        schedule=[row.as_dict() for row in loan.schedule],
        alternatives=alternatives,
        monthly_savings=analysis.monthly_savings if analysis is not None else None,
    )
    return simulation


def credit_status_transition(
    *,
    simulation: FinancingSimulation,
    to_status: str,
    actor=None,
    note: str = "",
    approved_amount: Decimal | None = None,
    approved_term_months: int | None = None,
    approved_monthly_rate_pct: Decimal | None = None,
    rejection_reason: str = "",
) -> FinancingSimulation:
    """Move a simulation along the credit workflow; every change is kept in ``events``."""
    with transaction.atomic():
        locked = FinancingSimulation.objects.select_for_update().get(pk=simulation.pk)
        allowed = CREDIT_TRANSITIONS.get(locked.status, ())
        if to_status not in allowed:
            raise InvalidState(
                _("A simulation that is %(current)s cannot become %(target)s.")
                % {
                    "current": locked.get_status_display(),
                    "target": CreditStatus(to_status).label
                    if to_status in CreditStatus.values
                    else to_status,
                },
                extra={"to_status": [_("Allowed: %(allowed)s.") % {"allowed": ", ".join(allowed) or "-"}]},
            )
        if to_status == CreditStatus.REJECTED and not (rejection_reason or note):
            raise InvalidState(
                _("Say why the credit was rejected."),
                extra={"rejection_reason": [_("Required when rejecting.")]},
            )
        if to_status == CreditStatus.APPROVED:
            locked.approved_amount = approved_amount if approved_amount is not None else locked.amount
            locked.approved_term_months = approved_term_months or locked.term_months
            locked.approved_monthly_rate_pct = (
                approved_monthly_rate_pct
                if approved_monthly_rate_pct is not None
                else (locked.monthly_rate * 100).quantize(Decimal("0.0001"))
            )
        if to_status == CreditStatus.REJECTED:
            locked.rejection_reason = (rejection_reason or note)[:255]
        CreditStatusEvent.objects.create(
            simulation=locked, from_status=locked.status, to_status=to_status, note=note[:255], actor=actor
        )
        locked.status = to_status
        locked.status_changed_at = timezone.now()
        locked.save()
    return locked

"""Financing products configured by staff, simulations with their tables and CET, and the
credit-analysis workflow with its history."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class BorrowerType(models.TextChoices):
    PF = "pf", _("individual (PF)")
    PJ = "pj", _("company (PJ)")
    SIMPLES = "simples", _("Simples Nacional / MEI")


class ProductBorrowers(models.TextChoices):
    PF = "pf", _("individuals only")
    PJ = "pj", _("companies only")
    BOTH = "both", _("individuals and companies")


class AmortizationSystem(models.TextChoices):
    PRICE = "price", _("Price (fixed installments)")
    SAC = "sac", _("SAC (decreasing installments)")


class FinancingProduct(models.Model):
    """A bank's solar financing line: rate, term and amount limits, fees."""

    bank = models.CharField(_("bank"), max_length=80)
    name = models.CharField(_("product"), max_length=120)
    borrowers = models.CharField(
        _("borrowers"), max_length=4, choices=ProductBorrowers.choices, default=ProductBorrowers.BOTH
    )
    monthly_rate_pct = models.DecimalField(
        _("rate (% a.m.)"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))],
    )
    amortization_system = models.CharField(
        _("amortization"), max_length=5, choices=AmortizationSystem.choices, default=AmortizationSystem.PRICE
    )
    min_term_months = models.PositiveSmallIntegerField(_("minimum term (months)"), default=12)
    max_term_months = models.PositiveSmallIntegerField(_("maximum term (months)"), default=72)
    max_grace_months = models.PositiveSmallIntegerField(_("maximum grace (months)"), default=0)
    min_amount = models.DecimalField(_("minimum amount (R$)"), max_digits=12, decimal_places=2, default=0)
    max_amount = models.DecimalField(
        _("maximum amount (R$)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fee_fixed = models.DecimalField(_("fixed fee / TAC (R$)"), max_digits=10, decimal_places=2, default=0)
    fee_pct = models.DecimalField(_("fee (% of the amount)"), max_digits=6, decimal_places=3, default=0)
    costs_financed = models.BooleanField(
        _("fees and IOF financed"),
        default=True,
        help_text=_("Otherwise they are paid upfront by the borrower."),
    )
    iof_exempt = models.BooleanField(_("IOF exempt"), default=False)
    url = models.URLField(_("product page"), blank=True, default="")
    requirements = models.TextField(_("requirements"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("financing product")
        verbose_name_plural = _("financing products")
        ordering = ["bank", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_term_months__lte=models.F("max_term_months")),
                name="eng_finprod_term_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank} · {self.name}"

    @property
    def annual_rate_pct(self) -> Decimal:
        monthly = float(self.monthly_rate_pct) / 100
        return Decimal(str(round(((1 + monthly) ** 12 - 1) * 100, 2)))

    def accepts(self, borrower_type: str) -> bool:
        if self.borrowers == ProductBorrowers.BOTH:
            return True
        if self.borrowers == ProductBorrowers.PJ:
            return borrower_type in (BorrowerType.PJ, BorrowerType.SIMPLES)
        return borrower_type == BorrowerType.PF


class CreditStatus(models.TextChoices):
    SIMULATED = "simulated", _("simulated")
    REQUESTED = "requested", _("credit requested")
    UNDER_ANALYSIS = "under_analysis", _("under analysis")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


#: Allowed credit-analysis transitions.
CREDIT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CreditStatus.SIMULATED: (CreditStatus.REQUESTED, CreditStatus.CANCELLED),
    CreditStatus.REQUESTED: (CreditStatus.UNDER_ANALYSIS, CreditStatus.CANCELLED),
    CreditStatus.UNDER_ANALYSIS: (CreditStatus.APPROVED, CreditStatus.REJECTED, CreditStatus.CANCELLED),
    CreditStatus.APPROVED: (CreditStatus.CANCELLED,),
    CreditStatus.REJECTED: (),
    CreditStatus.CANCELLED: (),
}


def _money(verbose, **kw):
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kw)


class FinancingSimulation(models.Model):
    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "users.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="financing_simulations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    analysis = models.ForeignKey(
        "engineering.SolarViabilityAnalysis",
        verbose_name=_("viability analysis"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="financing_simulations",
    )
    product = models.ForeignKey(
        FinancingProduct,
        verbose_name=_("financing product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="simulations",
    )
    bank = models.CharField(_("bank"), max_length=80, blank=True, default="")
    borrower_type = models.CharField(
        _("borrower"), max_length=8, choices=BorrowerType.choices, default=BorrowerType.PF
    )
    system_cost = _money(_("system cost"))
    down_payment = _money(_("down payment"), default=0)
    amount = _money(_("amount needed"))
    principal = _money(_("principal borrowed"))
    net_released = _money(_("net amount released"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    grace_months = models.PositiveSmallIntegerField(_("grace (months)"), default=0)
    monthly_rate = models.DecimalField(_("rate (fraction a.m.)"), max_digits=9, decimal_places=7)
    annual_rate = models.DecimalField(_("rate (fraction a.a.)"), max_digits=9, decimal_places=7)
    amortization_system = models.CharField(
        _("amortization"), max_length=5, choices=AmortizationSystem.choices, default=AmortizationSystem.PRICE
    )
    fees = _money(_("fees"), default=0)
    iof = _money(_("IOF"), default=0)
    first_payment = _money(_("first installment"))
    last_payment = _money(_("last installment"))
    total_paid = _money(_("total paid"))
    total_interest = _money(_("total interest"))
    cet_monthly_pct = models.DecimalField(_("CET (% a.m.)"), max_digits=7, decimal_places=2)
    cet_annual_pct = models.DecimalField(_("CET (% a.a.)"), max_digits=8, decimal_places=2)
    schedule = models.JSONField(_("installments"), default=list)
    alternatives = models.JSONField(_("alternatives compared"), default=list, blank=True)
    monthly_savings = _money(_("monthly energy savings"), null=True, blank=True)

    status = models.CharField(
        _("credit status"), max_length=16, choices=CreditStatus.choices, default=CreditStatus.SIMULATED
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    approved_amount = _money(_("approved amount"), null=True, blank=True)
    approved_term_months = models.PositiveSmallIntegerField(_("approved term"), null=True, blank=True)
    approved_monthly_rate_pct = models.DecimalField(
        _("approved rate (% a.m.)"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("financing simulation")
        verbose_name_plural = _("financing simulations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="eng_finsim_org_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.bank or _('custom rate')} R$ {self.amount} × {self.term_months}"


class CreditStatusEvent(models.Model):
    simulation = models.ForeignKey(
        FinancingSimulation, verbose_name=_("simulation"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=16, choices=CreditStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=CreditStatus.choices)
    note = models.CharField(_("note"), max_length=255, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit status change")
        verbose_name_plural = _("credit status history")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

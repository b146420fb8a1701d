"""SolarViabilityAnalysis: the persisted, re-computable technical and economic analysis of a system."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectionType(models.TextChoices):
    MONO = "mono", _("single-phase (monofásico)")
    BI = "bi", _("two-phase (bifásico)")
    TRI = "tri", _("three-phase (trifásico)")


class ConsumptionInput(models.TextChoices):
    MONTHLY = "monthly", _("12 monthly readings")
    AVERAGE = "average", _("monthly average")
    BILL = "bill", _("bill amount (R$)")


class CreditAllocation(models.TextChoices):
    PERCENT = "percent", _("percent of the surplus")
    PRIORITY = "priority", _("priority order")


class Recommendation(models.TextChoices):
    HIGHLY = "highly_recommended", _("highly recommended")
    RECOMMENDED = "recommended", _("recommended")
    MARGINAL = "marginal", _("marginal")
    NOT = "not_recommended", _("not recommended")


class ProposalStatus(models.TextChoices):
    NONE = "", _("not requested")
    PENDING = "pending", _("being generated")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class LeadStatus(models.TextChoices):
    NONE = "", _("no contact left")
    CREATED = "created", _("lead created")
    RECORDED = "recorded", _("contact recorded on the analysis (leads service unavailable)")


def _money(verbose, **kw):
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kw)


class SolarViabilityAnalysis(models.Model):
    """Inputs, the sizing with real catalog products, the investment, the 25-year cash flow under
    Lei 14.300 and the verdict. Key figures are columns (lists, filters, admin); the full result
    (months, cash flow, units, factors, risks, scenarios, next steps) is ``result``.

    Analyses of the public calculator have no organization and are reached by ``uuid`` only."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "users.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="viability_analyses",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=160, blank=True, default="")
    customer_name = models.CharField(_("customer"), max_length=160, blank=True, default="")

    # Contact left on the public calculator.
    contact_name = models.CharField(_("contact name"), max_length=160, blank=True, default="")
    contact_email = models.EmailField(_("contact e-mail"), blank=True, default="")
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, default="")
    contact_consent = models.BooleanField(_("consented to be contacted"), default=False)
    lead_status = models.CharField(
        _("lead"), max_length=10, choices=LeadStatus.choices, blank=True, default=LeadStatus.NONE
    )
    lead_ref = models.CharField(_("lead reference"), max_length=64, blank=True, default="")

    # Location and utility.
    cep = models.CharField(_("CEP"), max_length=8, blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    state = models.CharField(_("state"), max_length=2, blank=True, default="")
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    utility = models.ForeignKey(
        "engineering.Utility",
        verbose_name=_("utility"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="viability_analyses",
    )
    subgroup = models.CharField(_("subgroup"), max_length=10, default="B1")
    tariff_class = models.CharField(_("class"), max_length=80, default="Residencial")
    connection_type = models.CharField(
        _("connection"), max_length=4, choices=ConnectionType.choices, default=ConnectionType.BI
    )

    # Consumption and system inputs.
    consumption_input = models.CharField(
        _("consumption given as"),
        max_length=8,
        choices=ConsumptionInput.choices,
        default=ConsumptionInput.MONTHLY,
    )
    monthly_consumption_kwh = models.JSONField(_("monthly consumption (kWh)"), default=list)
    monthly_bill_brl = _money(_("monthly bill (R$)"), null=True, blank=True)
    target_offset_pct = models.DecimalField(
        _("target offset (%)"),
        max_digits=5,
        decimal_places=1,
        default=100,
        validators=[MinValueValidator(10), MaxValueValidator(200)],
    )
    roof_area_m2 = models.DecimalField(
        _("roof area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    tilt_deg = models.DecimalField(_("tilt (°)"), max_digits=4, decimal_places=1, default=20)
    azimuth_deg = models.DecimalField(
        _("azimuth (°)"), max_digits=5, decimal_places=1, default=0, help_text=_("0 = north, 90 = east.")
    )
    protocol_date = models.DateField(_("access request date"))
    credit_allocation = models.CharField(
        _("credit allocation"),
        max_length=8,
        choices=CreditAllocation.choices,
        default=CreditAllocation.PERCENT,
    )
    beneficiaries = models.JSONField(_("beneficiary units"), default=list, blank=True)
    assumptions = models.JSONField(_("assumptions"), default=dict, blank=True)
    module_product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("module"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    inverter_product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("inverter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    photogrammetry = models.ForeignKey(
        "engineering.PhotogrammetryAnalysis",
        verbose_name=_("roof analysis"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="viability_analyses",
    )
    financing_product = models.ForeignKey(
        "engineering.FinancingProduct",
        verbose_name=_("financing product for the financed scenario"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Key results.
    tariff_rs_kwh = models.DecimalField(_("final tariff (R$/kWh)"), max_digits=8, decimal_places=5, null=True)
    system_kwp = models.DecimalField(_("system (kWp)"), max_digits=9, decimal_places=3, null=True)
    module_count = models.PositiveIntegerField(_("modules"), null=True)
    inverter_count = models.PositiveSmallIntegerField(_("inverters"), null=True)
    annual_generation_kwh = models.DecimalField(
        _("generation, year 1 (kWh)"), max_digits=12, decimal_places=1, null=True
    )
    specific_yield = models.DecimalField(
        _("specific yield (kWh/kWp/year)"), max_digits=7, decimal_places=1, null=True
    )
    roof_area_needed_m2 = models.DecimalField(
        _("roof area needed (m²)"), max_digits=8, decimal_places=1, null=True
    )
    equipment_cost = _money(_("equipment"), null=True)
    installation_cost = _money(_("installation"), null=True)
    homologation_cost = _money(_("homologation"), null=True)
    total_investment = _money(_("investment"), null=True)
    monthly_savings = _money(_("monthly savings, year 1"), null=True)
    annual_savings = _money(_("annual savings, year 1"), null=True)
    total_savings = _money(_("savings over the horizon"), null=True)
    simple_payback_years = models.DecimalField(
        _("payback (years)"), max_digits=6, decimal_places=2, null=True
    )
    discounted_payback_years = models.DecimalField(
        _("discounted payback (years)"), max_digits=6, decimal_places=2, null=True
    )
    irr_pct = models.DecimalField(_("IRR (%)"), max_digits=8, decimal_places=2, null=True)
    npv = _money(_("NPV"), null=True)
    lcoe_rs_kwh = models.DecimalField(_("LCOE (R$/kWh)"), max_digits=8, decimal_places=4, null=True)
    roi_pct = models.DecimalField(_("ROI (%)"), max_digits=10, decimal_places=1, null=True)
    viability_score = models.DecimalField(_("viability score"), max_digits=4, decimal_places=1, null=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices, blank=True, default=""
    )
    is_viable = models.BooleanField(_("viable"), default=False)
    sizing = models.JSONField(_("sizing"), default=dict, blank=True)
    context = models.JSONField(
        _("sources"),
        default=dict,
        blank=True,
        help_text=_("Tariff, irradiation and location used, with their sources."),
    )
    result = models.JSONField(_("result"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True)

    # Proposal PDF.
    proposal_status = models.CharField(
        _("proposal"), max_length=8, choices=ProposalStatus.choices, blank=True, default=ProposalStatus.NONE
    )
    proposal_path = models.CharField(_("proposal file"), max_length=300, blank=True, default="")
    proposal_size = models.PositiveIntegerField(_("proposal size (bytes)"), default=0)
    proposal_generated_at = models.DateTimeField(_("proposal generated at"), null=True, blank=True)
    proposal_error = models.TextField(_("proposal error"), blank=True, default="")

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("solar viability analysis")
        verbose_name_plural = _("solar viability analyses")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="eng_analysis_org_idx")]

    def __str__(self) -> str:
        label = self.title or self.customer_name or self.city or _("analysis")
        return f"#{self.pk} {label} {self.system_kwp or ''} kWp"

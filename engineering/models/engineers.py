"""The engineer network: registered professionals (CREA/CFT) who sign projects and review
homologation work, their coverage, capacity and availability, and their assignments."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistryBody(models.TextChoices):
    CREA = "CREA", _("CREA (engineer)")
    CFT = "CFT", _("CFT (industrial technician)")


class Discipline(models.TextChoices):
    ELECTRICAL = "electrical", _("electrical")
    CIVIL = "civil", _("civil / structural")
    MECHANICAL = "mechanical", _("mechanical")
    SAFETY = "safety", _("occupational safety")


class Engineer(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engineer_profiles",
    )
    name = models.CharField(_("name"), max_length=160)
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    registry_body = models.CharField(
        _("council"), max_length=4, choices=RegistryBody.choices, default=RegistryBody.CREA
    )
    registration_number = models.CharField(_("registration number"), max_length=30)
    registration_state = models.CharField(_("registration state"), max_length=2)
    disciplines = models.JSONField(_("disciplines"), default=list, blank=True)
    states = models.JSONField(_("states covered"), default=list, blank=True)
    utilities = models.ManyToManyField(
        "engineering.Utility",
        verbose_name=_("utilities covered"),
        blank=True,
        related_name="engineers",
        help_text=_("Empty: every utility of the states covered."),
    )
    monthly_capacity = models.PositiveSmallIntegerField(_("projects per month"), default=10)
    rating = models.DecimalField(
        _("rating (0–5)"),
        max_digits=2,
        decimal_places=1,
        default=Decimal("4.0"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(5))],
    )
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("engineer")
        verbose_name_plural = _("engineers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["registry_body", "registration_state", "registration_number"],
                name="eng_engineer_registration_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.registry_body}-{self.registration_state} {self.registration_number})"


class EngineerUnavailability(models.Model):
    engineer = models.ForeignKey(
        Engineer, verbose_name=_("engineer"), on_delete=models.CASCADE, related_name="unavailabilities"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until (inclusive)"))
    reason = models.CharField(_("reason"), max_length=160, blank=True, default="")

    class Meta:
        verbose_name = _("unavailable period")
        verbose_name_plural = _("unavailable periods")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")), name="eng_unavailability_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engineer} {self.start}→{self.end}"


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class EngineerAssignment(models.Model):
    """One piece of work given to an engineer (``reference`` names it, e.g.
    ``homologation.project:42``). Active assignments are the engineer's load; assignments created in
    a month count against that month's capacity."""

    engineer = models.ForeignKey(
        Engineer, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="assignments"
    )
    reference = models.CharField(_("work reference"), max_length=120)
    state = models.CharField(_("state"), max_length=2, blank=True, default="")
    utility_code = models.CharField(_("utility"), max_length=80, blank=True, default="")
    discipline = models.CharField(_("discipline"), max_length=12, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    score = models.JSONField(_("ranking when assigned"), default=dict, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("engineer assignment")
        verbose_name_plural = _("engineer assignments")
        ordering = ["-assigned_at", "-id"]
        indexes = [models.Index(fields=["engineer", "status", "assigned_at"], name="eng_assign_load_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=models.Q(status="active"),
                name="eng_assignment_one_active_per_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} → {self.engineer}"

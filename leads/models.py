"""Models of the leads app.

A ``Lead`` is a person who left contact details on one of our channels (the public calculator, a
quote form, the catalog, the chat, WhatsApp, …) and agreed to be contacted. It belongs to the
integrator whose calculator or portal captured it, or to nobody (``organization`` null) when it came
through YSH's own storefront.

Deduplication: while a lead is *open* (any status but converted or lost) there is at most one lead
per (organization, e-mail) and one per (organization, phone). The same person leaving the calculator
again updates that lead instead of creating another one; once it is converted or lost, a new contact
opens a new lead. Two partial unique indexes enforce it in the database (the organization is
coalesced to 0 so YSH's own leads, with a NULL organization, are deduplicated too), and
``leads.services.lead_create`` handles the race between two simultaneous captures.

LGPD: contact details are stored only with consent (``consent``, ``consent_at`` and the version of
the consent text shown); the visitor's IP is kept only as an HMAC-SHA256 (``ip_hash``).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ysh.users.validators import BRAZILIAN_STATES, validate_e164_phone


class LeadSource(models.TextChoices):
    CALCULATOR = "calculator", _("solar calculator")
    QUOTE = "quote", _("quote request")
    CATALOG = "catalog", _("catalog")
    CHAT = "chat", _("chat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MANUAL = "manual", _("entered by staff")
    OTHER = "other", _("other")


class InterestType(models.TextChoices):
    SOLAR = "solar", _("solar system")
    BATTERY = "battery", _("battery storage")
    EV_CHARGER = "ev_charger", _("EV charger")
    HOMOLOGATION = "homologation", _("homologation")
    OTHER = "other", _("other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("new")
    CONTACTED = "contacted", _("contacted")
    QUALIFIED = "qualified", _("qualified")
    PROPOSAL = "proposal", _("proposal")
    NEGOTIATION = "negotiation", _("negotiation")
    CONVERTED = "converted", _("converted")
    LOST = "lost", _("lost")


#: A lead in one of these statuses is closed: a new contact from the same person opens a new lead.
CLOSED_STATUSES = frozenset({LeadStatus.CONVERTED, LeadStatus.LOST})
_OPEN = ~Q(status__in=sorted(CLOSED_STATUSES))

#: Attribution fields, as the storefront sends them (first touch is kept, see lead_create).
ATTRIBUTION_FIELDS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "gclid",
    "fbclid",
    "referrer",
    "landing_url",
)


def _scope():
    """The dedup scope: the organization, with YSH's own leads (NULL) as organization 0."""
    return Coalesce("organization", Value(0), output_field=models.BigIntegerField())


class Lead(models.Model):
    uuid = models.UUIDField(_("public reference"), default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "users.Organization",
        verbose_name=_("organization"),
        # The integrator's leads are its customers' personal data: they go with it.
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # leads_lead_org_status starts with it
        related_name="leads",
        help_text=_("The integrator whose calculator or portal captured the lead; empty = YSH's storefront."),
    )
    name = models.CharField(_("name"), max_length=160, blank=True, default="")
    email = models.EmailField(_("e-mail"), max_length=254, blank=True, default="")
    phone = models.CharField(
        _("phone"),
        max_length=16,
        blank=True,
        default="",
        validators=[validate_e164_phone],
        help_text=_("E.164, e.g. +5511999998888."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    state = models.CharField(_("state"), max_length=2, blank=True, default="", choices=BRAZILIAN_STATES)
    source = models.CharField(_("source"), max_length=12, choices=LeadSource.choices)
    interest_type = models.CharField(
        _("interest"), max_length=14, choices=InterestType.choices, default=InterestType.SOLAR
    )
    status = models.CharField(_("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW)

    utm_source = models.CharField(_("UTM source"), max_length=200, blank=True, default="")
    utm_medium = models.CharField(_("UTM medium"), max_length=200, blank=True, default="")
    utm_campaign = models.CharField(_("UTM campaign"), max_length=200, blank=True, default="")
    utm_term = models.CharField(_("UTM term"), max_length=200, blank=True, default="")
    utm_content = models.CharField(_("UTM content"), max_length=200, blank=True, default="")
    gclid = models.CharField(_("Google click id"), max_length=255, blank=True, default="")
    fbclid = models.CharField(_("Meta click id"), max_length=255, blank=True, default="")
    referrer = models.CharField(_("referrer URL"), max_length=2000, blank=True, default="")
    landing_url = models.CharField(_("landing page URL"), max_length=2000, blank=True, default="")

    consent = models.BooleanField(_("consented to be contacted"), default=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_text_version = models.CharField(_("consent text version"), max_length=32, blank=True, default="")
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, default="")

    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    capture_count = models.PositiveIntegerField(
        _("captures"), default=1, help_text=_("How many times this person left their contact while open.")
    )
    last_captured_at = models.DateTimeField(_("last captured at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(email="") | ~Q(phone=""), name="leads_lead_email_or_phone"),
            models.UniqueConstraint(
                _scope(),
                "email",
                condition=_OPEN & ~Q(email=""),
                name="leads_lead_open_email_unique",
                violation_error_message=_("An open lead with this e-mail already exists."),
            ),
            models.UniqueConstraint(
                _scope(),
                "phone",
                condition=_OPEN & ~Q(phone=""),
                name="leads_lead_open_phone_unique",
                violation_error_message=_("An open lead with this phone already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at"], name="leads_lead_created"),
            models.Index(fields=["status", "-created_at"], name="leads_lead_status_created"),
            models.Index(fields=["source", "-created_at"], name="leads_lead_source_created"),
            models.Index(fields=["organization", "status", "-created_at"], name="leads_lead_org_status"),
            # Look-ups by contact across every status (erasure requests, staff search by exact value).
            models.Index(fields=["email"], name="leads_lead_email"),
            models.Index(fields=["phone"], name="leads_lead_phone"),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def clean(self):
        """Normalize the e-mail as the service does, so admin edits keep the dedup key exact (the
        phone's validator already insists on E.164)."""
        super().clean()
        self.email = (self.email or "").strip().lower()
        if not (self.email or self.phone):
            raise ValidationError({"email": _("Leave an e-mail or a phone.")})

"""Admin of the leads app: the back office works leads here. Contacts are normalized like the
service does (``Lead.clean``) and the dedup indexes are checked by the form, so an edit can never
duplicate an open lead. Capture data (channel, attribution, consent, IP hash) is read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from leads.consent import CONSENT_TEXTS
from leads.models import ATTRIBUTION_FIELDS, Lead


class LeadAdminForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = ["status", "interest_type", "name", "email", "phone", "city", "state"]

    def validate_unique(self):
        super().validate_unique()
        # The dedup indexes name the organization and the status; Django skips constraints naming
        # a field the form leaves out (the organization is read-only here), so check them on the
        # instance as it will be saved.
        for constraint in Lead._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint):
                try:
                    constraint.validate(Lead, self.instance)
                except ValidationError as exc:
                    self.add_error(None, exc)


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    form = LeadAdminForm
    list_display = (
        "id",
        "name",
        "email",
        "phone",
        "organization",
        "source",
        "interest_type",
        "status",
        "state",
        "consent",
        "capture_count",
        "created_at",
    )
    list_filter = (
        "status",
        "source",
        "interest_type",
        ("organization", admin.RelatedOnlyFieldListFilter),
        "consent",
        "state",
    )
    list_select_related = ("organization",)
    search_fields = ("name", "email", "phone")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = (
        "uuid",
        "organization",
        "source",
        *ATTRIBUTION_FIELDS,
        "consent",
        "consent_at",
        "consent_text_version",
        "consent_text",
        "ip_hash",
        "metadata",
        "capture_count",
        "last_captured_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("uuid", "organization", "status", "source", "interest_type")}),
        (_("Contact"), {"fields": ("name", "email", "phone", "city", "state")}),
        (_("Attribution"), {"fields": ATTRIBUTION_FIELDS}),
        (
            _("Consent (LGPD)"),
            {"fields": ("consent", "consent_at", "consent_text_version", "consent_text", "ip_hash")},
        ),
        (
            _("Capture"),
            {"fields": ("metadata", "capture_count", "last_captured_at", "created_at", "updated_at")},
        ),
    )

    def has_add_permission(self, request):
        # Leads enter through leads.services.lead_create (consent, normalization, dedup).
        return False

    @admin.display(description=_("consent text"))
    def consent_text(self, lead: Lead) -> str:
        return str(CONSENT_TEXTS.get(lead.consent_text_version, "—"))

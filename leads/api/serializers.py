"""Input and output serializers of the leads API. Inputs check shapes and lengths; the service
(``leads.services.lead_create``) normalizes and validates the contact itself (phone, e-mail, UF,
consent), so the rules are the same for every channel."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leads.consent import CURRENT_CONSENT_VERSION
from leads.models import ATTRIBUTION_FIELDS, InterestType, Lead, LeadSource, LeadStatus

#: Channels a visitor can report; "manual" is for staff only.
PUBLIC_SOURCES = [(value, label) for value, label in LeadSource.choices if value != LeadSource.MANUAL]


def choice_field(choices, **kwargs) -> serializers.ChoiceField:
    """A ChoiceField documented with an inline enum: as a plain ChoiceField drf-spectacular lifts
    it into a component named after the field ("StatusEnum", "SourceEnum") that collides with other
    apps' fields of the same name."""

    @extend_schema_field({"allOf": [{"type": "string", "enum": [value for value, _label in choices]}]})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, **kwargs)


class LeadCaptureSerializer(serializers.Serializer):
    """What a visitor leaves on the storefront (or an integrator's page)."""

    name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("Brazilian formats are accepted, e.g. (11) 99999-8888; stored as E.164."),
    )
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(max_length=2, required=False, allow_blank=True, help_text=_("UF, e.g. SP."))
    source = choice_field(PUBLIC_SOURCES, default=LeadSource.OTHER)
    interest_type = choice_field(InterestType.choices, default=InterestType.SOLAR)
    consent = serializers.BooleanField(
        help_text=_("The visitor agreed to be contacted (LGPD); without it nothing is stored.")
    )
    consent_text_version = serializers.CharField(
        max_length=32, default=CURRENT_CONSENT_VERSION, help_text=_("Version of the consent text shown.")
    )
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    utm_source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_medium = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_campaign = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_term = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_content = serializers.CharField(max_length=200, required=False, allow_blank=True)
    gclid = serializers.CharField(max_length=255, required=False, allow_blank=True)
    fbclid = serializers.CharField(max_length=255, required=False, allow_blank=True)
    referrer = serializers.URLField(max_length=2000, required=False, allow_blank=True)
    landing_url = serializers.URLField(max_length=2000, required=False, allow_blank=True)

    def service_kwargs(self) -> dict:
        data = self.validated_data
        message = (data.get("message") or "").strip()
        return {
            "name": data.get("name", ""),
            "email": data.get("email", ""),
            "phone": data.get("phone", ""),
            "city": data.get("city", ""),
            "state": data.get("state", ""),
            "source": data["source"],
            "interest_type": data["interest_type"],
            "consent": data["consent"],
            "consent_text_version": data["consent_text_version"],
            "metadata": {"message": message} if message else None,
            "attribution": {key: data[key] for key in ATTRIBUTION_FIELDS if data.get(key)},
        }


class LeadReceiptSerializer(serializers.Serializer):
    """The public answer: a reference and that the contact was received — the same whether the
    person was new or already had an open lead, so it tells nothing about anyone's data."""

    id = serializers.UUIDField(help_text=_("Public reference of the lead."))
    status = choice_field([("received", _("received"))])


class LeadSerializer(serializers.ModelSerializer):
    organization_name = serializers.SerializerMethodField()
    source = choice_field(LeadSource.choices, read_only=True)
    interest_type = choice_field(InterestType.choices, read_only=True)
    status = choice_field(LeadStatus.choices, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "uuid",
            "organization",
            "organization_name",
            "name",
            "email",
            "phone",
            "city",
            "state",
            "source",
            "interest_type",
            "status",
            *ATTRIBUTION_FIELDS,
            "consent",
            "consent_at",
            "consent_text_version",
            "metadata",
            "capture_count",
            "last_captured_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organization_name(self, lead: Lead) -> str | None:
        return str(lead.organization) if lead.organization_id else None


class LeadUpdateSerializer(serializers.Serializer):
    """What staff may change (contacts and attribution stay as captured)."""

    status = choice_field(LeadStatus.choices, required=False)
    interest_type = choice_field(InterestType.choices, required=False)
    name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(max_length=2, required=False, allow_blank=True)

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {field: [_("This field cannot be changed.")] for field in unknown}
            )
        return attrs

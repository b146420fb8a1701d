"""Write-side services of the leads app (keyword-only ``<entity>_<verb>`` functions).

``lead_create`` is the one way a lead enters the platform, whatever the channel (the public
``POST /api/v1/leads/``, the engineering calculator, the demo seeder, later the chat and WhatsApp):

* LGPD first: without ``consent=True`` nothing is stored (``LeadConsentRequired``);
* contacts are normalized — e-mail trimmed and lower-cased, phone to E.164 with Brazil as the default
  region (``(11) 99999-8888`` → ``+5511999998888``); at least one of them is required;
* the raw IP is never stored: ``ip`` is turned into an HMAC-SHA256 with the project's helper;
* dedup: an *open* lead of the same organization (or of YSH's storefront) with the same e-mail or
  phone is updated instead of creating another one — the latest name, contacts, city, interest and
  consent win, the first touch's channel and attribution are kept, metadata is merged, and
  ``capture_count`` grows. Two partial unique indexes make this exact; when two captures race, the
  loser's insert fails on the index and it retries as an update.

Bad input raises ``LeadInvalid`` (a ``DomainError`` → 400 with ``{field: [messages]}``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.consent import CONSENT_TEXTS, CURRENT_CONSENT_VERSION
from leads.models import ATTRIBUTION_FIELDS, InterestType, Lead, LeadSource, LeadStatus
from leads.selectors import lead_open_matches
from ysh.errors import Conflict, DomainError, OrganizationSuspended
from ysh.users.services import ip_hash_for
from ysh.users.validators import BRAZILIAN_STATES, normalize_phone

#: Largest metadata a capture may attach (serialized JSON, characters).
MAX_METADATA_CHARS = 10_000
#: Fields staff may change through ``lead_update`` (contacts and attribution stay as captured).
UPDATABLE_FIELDS = frozenset({"status", "interest_type", "name", "city", "state"})

_UF = frozenset(uf for uf, _label in BRAZILIAN_STATES)
_URL = URLValidator(schemes=["http", "https"])


class LeadInvalid(DomainError):
    """Bad contact data; ``extra`` holds ``{field: [messages]}``."""

    code = "invalid"
    default_message = gettext_lazy("The contact details are not valid.")

    def __init__(self, errors: dict[str, list[str]], message=None):
        super().__init__(message, extra={field: [str(m) for m in msgs] for field, msgs in errors.items()})
        self.errors = self.extra


class LeadConsentRequired(LeadInvalid):
    code = "consent_required"
    default_message = gettext_lazy("Consent is required to store contact details (LGPD).")

    def __init__(self):
        super().__init__({"consent": [_("Agree to be contacted so we can keep your details (LGPD).")]})


# --- validation -------------------------------------------------------------------------------


def _text(value: Any, field: str, max_length: int, errors: dict) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > max_length:
        errors[field] = [_("Ensure this field has no more than %(max)s characters.") % {"max": max_length}]
    return text


def _email(value: Any, errors: dict) -> str:
    email = str(value or "").strip().lower()
    if not email:
        return ""
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    return email


def _phone(value: Any, errors: dict) -> str:
    raw = str(value or "").strip()
    if not raw:
        return ""
    try:
        return normalize_phone(raw, "BR")
    except ValidationError:
        errors["phone"] = [_("Enter a valid phone number with area code, e.g. (11) 99999-8888.")]
        return ""


def _choice(value: Any, field: str, choices: list[str], errors: dict) -> str:
    if value not in choices:
        errors[field] = [_("“%(value)s” is not a valid choice.") % {"value": value}]
    return str(value or "")


def _state(value: Any, errors: dict) -> str:
    state = str(value or "").strip().upper()
    if state and state not in _UF:
        errors["state"] = [_("Use the two-letter UF, e.g. SP.")]
    return state


def _metadata(value: Any, errors: dict) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors["metadata"] = [_("Must be a JSON object.")]
        return {}
    try:
        size = len(json.dumps(value, cls=DjangoJSONEncoder))
    except (TypeError, ValueError):
        errors["metadata"] = [_("Must be a JSON object.")]
        return {}
    if size > MAX_METADATA_CHARS:
        errors["metadata"] = [_("Too large (at most %(max)s characters).") % {"max": MAX_METADATA_CHARS}]
        return {}
    # A JSON round trip stores exactly what a JSONField would read back (Decimals → strings …).
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def attribution_clean(attribution: dict | None) -> dict[str, str]:
    """Known attribution keys only, trimmed to their column; URLs only when http(s).

    Attribution is best effort: a malformed value is dropped rather than losing the lead."""
    cleaned: dict[str, str] = {}
    for key in ATTRIBUTION_FIELDS:
        value = (attribution or {}).get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()[: Lead._meta.get_field(key).max_length]
        if key in ("referrer", "landing_url"):
            try:
                _URL(value)
            except ValidationError:
                continue
        cleaned[key] = value
    return cleaned


# --- lead_create ------------------------------------------------------------------------------


def lead_create(
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    source: str,
    interest_type: str,
    consent: bool,
    organization=None,
    metadata: dict | None = None,
    attribution: dict | None = None,
    ip: str | None = None,
    city: str | None = "",
    state: str | None = "",
    consent_text_version: str = CURRENT_CONSENT_VERSION,
) -> Lead:
    """Capture a lead (or update the person's open lead, see the module docstring)."""
    if consent is not True:
        raise LeadConsentRequired()
    errors: dict[str, list[str]] = {}
    values = {
        "name": _text(name, "name", 160, errors),
        "email": _email(email, errors),
        "phone": _phone(phone, errors),
        "city": _text(city, "city", 100, errors),
        "state": _state(state, errors),
        "source": _choice(source, "source", LeadSource.values, errors),
        "interest_type": _choice(interest_type, "interest_type", InterestType.values, errors),
    }
    if not (values["email"] or values["phone"]) and not ({"email", "phone"} & errors.keys()):
        errors["email"] = [_("Leave an e-mail or a phone to be contacted.")]
    if consent_text_version not in CONSENT_TEXTS:
        errors["consent_text_version"] = [_("Unknown consent text version.")]
    extra = _metadata(metadata, errors)
    if errors:
        raise LeadInvalid(errors)
    if organization is not None and not organization.is_active:
        raise OrganizationSuspended()

    now = timezone.now()
    captured = {
        **values,
        "consent": True,
        "consent_at": now,
        "consent_text_version": consent_text_version,
        "ip_hash": ip_hash_for(ip or ""),
        "attribution": attribution_clean(attribution),
        "metadata": extra,
        "now": now,
    }
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                matches = list(
                    lead_open_matches(
                        organization=organization, email=values["email"], phone=values["phone"]
                    ).select_for_update()
                )
                if matches:
                    return _lead_merge(matches, captured)
                return _lead_insert(organization, captured)
        except IntegrityError:
            # Another capture of the same person committed between our look-up and our insert:
            # its row is visible now, so the second attempt updates it.
            if attempt == 2:
                raise Conflict(_("This contact is being saved by another request; try again.")) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _lead_insert(organization, captured: dict) -> Lead:
    lead = Lead(
        organization=organization,
        name=captured["name"],
        email=captured["email"],
        phone=captured["phone"],
        city=captured["city"],
        state=captured["state"],
        source=captured["source"],
        interest_type=captured["interest_type"],
        status=LeadStatus.NEW,
        consent=True,
        consent_at=captured["consent_at"],
        consent_text_version=captured["consent_text_version"],
        ip_hash=captured["ip_hash"],
        metadata=captured["metadata"],
        last_captured_at=captured["now"],
        **captured["attribution"],
    )
    lead.save()
    return lead


def _lead_merge(matches: list[Lead], captured: dict) -> Lead:
    """Update the person's open lead. When the e-mail matches one lead and the phone another, the
    e-mail's lead is updated and the phone stays with the lead that holds it."""
    email, phone = captured["email"], captured["phone"]
    by_email = next((lead for lead in matches if email and lead.email == email), None)
    lead = by_email or matches[0]
    if email and all(other.email != email for other in matches if other.pk != lead.pk):
        lead.email = email
    if phone and all(other.phone != phone for other in matches if other.pk != lead.pk):
        lead.phone = phone
    for field in ("name", "city", "state", "interest_type"):
        if captured[field]:
            setattr(lead, field, captured[field])
    for field, value in captured["attribution"].items():
        if not getattr(lead, field):  # first touch wins
            setattr(lead, field, value)
    lead.ip_hash = lead.ip_hash or captured["ip_hash"]
    lead.consent = True
    lead.consent_at = captured["consent_at"]
    lead.consent_text_version = captured["consent_text_version"]
    lead.metadata = {**(lead.metadata or {}), **captured["metadata"]}
    lead.capture_count += 1
    lead.last_captured_at = captured["now"]
    lead.save()
    return lead


# --- lead_update ------------------------------------------------------------------------------


def lead_update(*, lead: Lead, data: dict[str, Any]) -> Lead:
    """Staff change a lead's status, interest, name or location (contacts stay as captured)."""
    unknown = set(data) - UPDATABLE_FIELDS
    errors: dict[str, list[str]] = {field: [_("This field cannot be changed.")] for field in sorted(unknown)}
    changes: dict[str, str] = {}
    if "status" in data:
        changes["status"] = _choice(data["status"], "status", LeadStatus.values, errors)
    if "interest_type" in data:
        changes["interest_type"] = _choice(
            data["interest_type"], "interest_type", InterestType.values, errors
        )
    if "name" in data:
        changes["name"] = _text(data["name"], "name", 160, errors)
    if "city" in data:
        changes["city"] = _text(data["city"], "city", 100, errors)
    if "state" in data:
        changes["state"] = _state(data["state"], errors)
    if errors:
        raise LeadInvalid(errors)
    if not changes:
        return lead
    try:
        with transaction.atomic():
            locked = Lead.objects.select_for_update().get(pk=lead.pk)
            for field, value in changes.items():
                setattr(locked, field, value)
            locked.save(update_fields=[*changes, "updated_at"])
    except IntegrityError:
        # Re-opening a converted/lost lead while the same person has another open one.
        raise Conflict(
            _("This person already has an open lead with the same e-mail or phone; work that one.")
        ) from None
    return locked

"""The consent texts a visitor agrees to when leaving contact details (LGPD art. 7, I and art. 8).

Each lead stores the version it agreed to (``Lead.consent_text_version``), so the exact wording can
be shown later. A changed wording gets a new version here; old versions stay, never edited.
"""

from django.utils.translation import gettext_lazy as _

CONSENT_TEXTS = {
    "2026-01": _(
        "I agree that YSH and the solar integrator that served me use my name, e-mail and phone to "
        "contact me about this request and to send me proposals. I can withdraw this consent and ask "
        "for my data to be erased at any time."
    ),
}

CURRENT_CONSENT_VERSION = "2026-01"

"""Compliance on the shelf: INMETRO registration and the ENCE label.

PV modules and grid inverters (micro-inverters included) may only be sold in Brazil with an
INMETRO registration (Portaria INMETRO nº 140/2022), and online shops must show the product's
ENCE (Etiqueta Nacional de Conservação de Energia) class. A product of those kinds without a
registration, or whose registration has expired, is flagged here — in the API, the portal and
(through ``noncompliant_q``) the admin.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models.taxonomy import ProductKind

#: Kinds that need an INMETRO registration and show an ENCE label.
REGULATED_KINDS = frozenset({ProductKind.MODULE, ProductKind.INVERTER, ProductKind.MICROINVERTER})
#: A registration ending within this many days is reported as expiring (not yet a flag).
EXPIRING_DAYS = 60


class ComplianceStatus:
    OK = "ok"
    EXPIRING = "expiring"
    MISSING = "missing"
    EXPIRED = "expired"
    NOT_REQUIRED = "not_required"

    choices = (
        (OK, _("registration valid")),
        (EXPIRING, _("registration expiring soon")),
        (MISSING, _("registration missing")),
        (EXPIRED, _("registration expired")),
        (NOT_REQUIRED, _("not required")),
    )
    labels = dict(choices)


@dataclass(frozen=True)
class Compliance:
    status: str
    required: bool
    flagged: bool
    inmetro_registration: str
    inmetro_valid_until: date | None
    ence_class: str
    ence_missing: bool
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(ComplianceStatus.labels[self.status])

    def as_dict(self) -> dict:
        data = asdict(self)
        data["label"] = self.label
        data["inmetro_valid_until"] = (
            self.inmetro_valid_until.isoformat() if self.inmetro_valid_until else None
        )
        return data


def _today() -> date:
    return timezone.localdate()


def compliance_status(
    *, kind: str, inmetro_registration: str, inmetro_valid_until: date | None, today: date
) -> str:
    """Just the status (no messages): what list rows show, computed per row without gettext."""
    if kind not in REGULATED_KINDS:
        return ComplianceStatus.NOT_REQUIRED
    if not (inmetro_registration or "").strip():
        return ComplianceStatus.MISSING
    if inmetro_valid_until is not None and inmetro_valid_until < today:
        return ComplianceStatus.EXPIRED
    if inmetro_valid_until is not None and inmetro_valid_until <= today + timedelta(days=EXPIRING_DAYS):
        return ComplianceStatus.EXPIRING
    return ComplianceStatus.OK


FLAGGED = frozenset({ComplianceStatus.MISSING, ComplianceStatus.EXPIRED})


def product_compliance(
    *,
    kind: str,
    inmetro_registration: str,
    inmetro_valid_until: date | None,
    ence_class: str,
    today: date | None = None,
) -> Compliance:
    """The compliance state of one product from its stored fields (no query)."""
    today = today or _today()
    registration = (inmetro_registration or "").strip()
    required = kind in REGULATED_KINDS
    problems: list[str] = []
    if not required:
        status = ComplianceStatus.NOT_REQUIRED
    elif not registration:
        status = ComplianceStatus.MISSING
        problems.append(str(_("No INMETRO registration on file.")))
    elif inmetro_valid_until is not None and inmetro_valid_until < today:
        status = ComplianceStatus.EXPIRED
        problems.append(
            str(
                _("INMETRO registration expired on %(date)s.")
                % {"date": inmetro_valid_until.strftime("%d/%m/%Y")}
            )
        )
    elif inmetro_valid_until is not None and inmetro_valid_until <= today + timedelta(days=EXPIRING_DAYS):
        status = ComplianceStatus.EXPIRING
    else:
        status = ComplianceStatus.OK
    ence_missing = required and not ence_class
    if ence_missing:
        problems.append(str(_("ENCE efficiency class missing: the label must be shown to buyers.")))
    return Compliance(
        status=status,
        required=required,
        flagged=status in FLAGGED,
        inmetro_registration=registration,
        inmetro_valid_until=inmetro_valid_until,
        ence_class=ence_class or "",
        ence_missing=ence_missing,
        problems=problems,
    )


def compliance_of(product, *, today: date | None = None) -> Compliance:
    """``product_compliance`` for a Product instance (or anything with the same attributes)."""
    return product_compliance(
        kind=product.kind,
        inmetro_registration=product.inmetro_registration,
        inmetro_valid_until=product.inmetro_valid_until,
        ence_class=product.ence_class,
        today=today,
    )


def noncompliant_q(*, today: date | None = None, prefix: str = "") -> Q:
    """Products whose registration is missing or expired (for admin list filters and reports)."""
    today = today or _today()
    p = prefix
    regulated = Q(**{f"{p}kind__in": sorted(REGULATED_KINDS)})
    missing = Q(**{f"{p}inmetro_registration": ""})
    expired = Q(**{f"{p}inmetro_valid_until__lt": today})
    return regulated & (missing | expired)


def kit_compliance(components: list[Compliance]) -> Compliance:
    """A kit is as compliant as its least compliant regulated component."""
    order = [
        ComplianceStatus.MISSING,
        ComplianceStatus.EXPIRED,
        ComplianceStatus.EXPIRING,
        ComplianceStatus.OK,
    ]
    regulated = [c for c in components if c.required]
    if not regulated:
        return product_compliance(kind=ProductKind.KIT, inmetro_registration="", inmetro_valid_until=None,
                                  ence_class="")  # fmt: skip
    worst = min(regulated, key=lambda c: order.index(c.status))
    problems = [problem for c in regulated for problem in c.problems]
    return Compliance(
        status=worst.status,
        required=True,
        flagged=worst.flagged,
        inmetro_registration="",
        inmetro_valid_until=None,
        ence_class="",
        ence_missing=any(c.ence_missing for c in regulated),
        problems=problems,
    )

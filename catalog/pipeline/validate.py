"""Validate: schema per kind (``catalog.specs``), business sanity of prices, required fields, and
the quality score.

A listing is rejected — with its reasons kept on the RawListing — when something it must have is
missing or absurd (no brand, no model code, no or absurd price, a module of 0 W or 50,000 W).
Optional spec values that fail the schema are dropped and reported as warnings (they end up in
``Product.spec_errors``); the rest of the listing is still good data.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from catalog.models.taxonomy import ProductKind as K
from catalog.specs import specs_coverage, specs_validate

#: The spec each kind cannot do without (a listing without it is rejected).
REQUIRED_SPEC: dict[str, str] = {
    K.MODULE: "power_w",
    K.INVERTER: "ac_power_w",
    K.MICROINVERTER: "ac_power_w",
    K.BATTERY: "capacity_kwh",
    K.KIT: "power_kwp",
}

#: Plausible price bands per kind, as (basis, low, high) in BRL per unit of the basis. They are
#: wide on purpose — an order of magnitude around 2025–26 Brazilian distributor prices (modules
#: ≈ R$ 0,60–1,20/Wp, string inverters ≈ R$ 0,40–1,50/W, hybrids up to ≈ R$ 3/W, lithium
#: batteries ≈ R$ 1.500–3.000/kWh, kits ≈ R$ 1,80–4/Wp, more with batteries) — so only typos and
#: unit mix-ups (a module at R$ 0,05/Wp or R$ 50/Wp, a price in centavos) are rejected.
PRICE_BANDS: dict[str, tuple[str, Decimal, Decimal]] = {
    K.MODULE: ("wp", Decimal("0.25"), Decimal("8")),
    K.INVERTER: ("w", Decimal("0.15"), Decimal("8")),
    K.MICROINVERTER: ("w", Decimal("0.30"), Decimal("10")),
    K.BATTERY: ("kwh", Decimal("150"), Decimal("20000")),
    K.KIT: ("wp", Decimal("0.80"), Decimal("20")),
}
ABSOLUTE_PRICE_BAND = (Decimal("0.50"), Decimal("5000000"))
#: An existing offer's price moving by more than this factor in one sync is treated as a feed
#: error (a price in centavos, a missing digit): the listing is rejected, the old price stays.
MAX_PRICE_JUMP = Decimal(5)

#: Quality score weights (sum 100). Price and technical specs weigh most because they are what
#: integrators size and buy with; certification next because a module or inverter without a
#: valid INMETRO registration cannot be homologated; images, datasheet and warranty make the
#: product page trustworthy; a real description (≥ 80 characters) is the least.
QUALITY_WEIGHTS: dict[str, int] = {
    "price": 20,
    "specs": 30,
    "certification": 15,
    "warranty": 10,
    "images": 10,
    "datasheet": 10,
    "description": 5,
}
#: Kinds that need an INMETRO registration to be sold for grid-connected systems.
INMETRO_KINDS = {K.MODULE, K.INVERTER, K.MICROINVERTER}

# Cross-field schema errors (model validators of catalog.specs) → the fields to drop.
_CROSS_FIELD_DROPS: list[tuple[str, tuple[str, ...]]] = [
    ("Vmp must be lower than Voc", ("vmp_v", "voc_v")),
    ("Imp must not exceed Isc", ("imp_a", "isc_a")),
    ("Vmp × Imp", ("vmp_v", "imp_a")),
    ("MPPT minimum voltage", ("mppt_min_v", "mppt_max_v")),
    ("MPPT maximum voltage exceeds", ("mppt_max_v", "max_dc_voltage_v")),
]


@dataclass
class Verdict:
    accepted: bool
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    specs: dict[str, Any] = field(default_factory=dict)
    quality_score: int = 0


@dataclass(frozen=True)
class QualityFacts:
    kind: str
    specs: dict[str, Any]
    has_price: bool
    warranty_years: int | None
    inmetro_registration: str
    inmetro_valid_until: date | None
    images: int
    datasheet: bool
    description: str


def specs_clean(kind: str, specs: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """(clean specs, errors on required fields, warnings on dropped optional fields)."""
    required = REQUIRED_SPEC.get(kind)
    errors: list[str] = []
    warnings: list[str] = []
    current = dict(specs)
    for _attempt in range(4):
        clean, problems = specs_validate(kind, current)
        if not problems or (errors and all(p in errors for p in problems)):
            return clean, list(dict.fromkeys(errors)), list(dict.fromkeys(warnings))
        dropped_any = False
        for problem in problems:
            field_name = problem.split(":", 1)[0].split(".")[0]
            if required and (field_name == required):
                errors.append(problem)
                current.pop(field_name, None)
                dropped_any = True
                continue
            if field_name in current:
                warnings.append(problem)
                current.pop(field_name)
                dropped_any = True
                continue
            for needle, fields in _CROSS_FIELD_DROPS:
                if needle in problem:
                    warnings.append(problem)
                    for name in fields:
                        dropped_any |= current.pop(name, None) is not None
        if not dropped_any:
            warnings.extend(p for p in problems if p not in errors)
            return clean, list(dict.fromkeys(errors)), list(dict.fromkeys(warnings))
    clean, _ = specs_validate(kind, current)
    return clean, list(dict.fromkeys(errors)), list(dict.fromkeys(warnings))


def price_basis(kind: str, specs: dict[str, Any]) -> Decimal | None:
    basis = PRICE_BANDS.get(kind, ("unit",))[0]
    value = {
        "wp": specs.get("power_w") if kind == K.MODULE else specs.get("power_kwp"),
        "w": specs.get("ac_power_w"),
        "kwh": specs.get("capacity_kwh"),
    }.get(basis)
    if value in (None, 0):
        return None
    amount = Decimal(str(value))
    return amount * 1000 if kind == K.KIT else amount


def price_problems(
    *, kind: str, price: Decimal | None, specs: dict[str, Any], current_price: Decimal | None = None
) -> list[str]:
    if price is None:
        return [_("price missing")]
    if price <= 0:
        return [_("price must be positive (got R$ %(price)s)") % {"price": price}]
    low, high = ABSOLUTE_PRICE_BAND
    if not low <= price <= high:
        return [
            _("price R$ %(price)s is outside R$ %(low)s–%(high)s")
            % {"price": price, "low": low, "high": high}
        ]
    problems = []
    band = PRICE_BANDS.get(kind)
    basis = price_basis(kind, specs)
    if band and basis:
        unit_price = price / basis
        if not band[1] <= unit_price <= band[2]:
            problems.append(
                _(
                    "price R$ %(price)s is R$ %(unit).2f per %(basis)s, "
                    "outside the plausible R$ %(low)s–%(high)s"
                )
                % {"price": price, "unit": unit_price, "basis": band[0], "low": band[1], "high": band[2]}
            )
    if current_price and not (current_price / MAX_PRICE_JUMP <= price <= current_price * MAX_PRICE_JUMP):
        problems.append(
            _(
                "price R$ %(price)s differs more than %(factor)s× from the current R$ %(current)s; "
                "kept the current price"
            )
            % {"price": price, "factor": MAX_PRICE_JUMP, "current": current_price}
        )
    return problems


def quality_score(facts: QualityFacts, *, today: date | None = None) -> int:
    """0–100, the weighted sum of QUALITY_WEIGHTS (specs weighted by key-field coverage)."""
    today = today or date.today()
    w = QUALITY_WEIGHTS
    score = 0.0
    score += w["price"] if facts.has_price else 0
    score += w["specs"] * specs_coverage(facts.kind, facts.specs) if facts.specs else 0
    if facts.kind in INMETRO_KINDS:
        valid = bool(facts.inmetro_registration) and (
            facts.inmetro_valid_until is None or facts.inmetro_valid_until >= today
        )
        score += w["certification"] if valid else 0
    else:
        score += w["certification"]
    score += w["warranty"] if facts.warranty_years else 0
    score += w["images"] if facts.images else 0
    score += w["datasheet"] if facts.datasheet else 0
    score += w["description"] if len((facts.description or "").strip()) >= 80 else 0
    return round(score)


def listing_validate(listing, *, current_price: Decimal | None = None, today: date | None = None) -> Verdict:
    """Validate a NormalizedListing. ``current_price`` is the price of the offer it would update."""
    reasons = list(listing.problems)
    specs, spec_errors, warnings = specs_clean(listing.kind, listing.specs)
    reasons.extend(spec_errors)
    required = REQUIRED_SPEC.get(listing.kind)
    if required and required not in specs and not spec_errors:
        reasons.append(
            _("%(field)s missing: required for %(kind)s") % {"field": required, "kind": listing.kind}
        )
    reasons.extend(
        price_problems(kind=listing.kind, price=listing.price, specs=specs, current_price=current_price)
    )
    valid_until = date.fromisoformat(listing.inmetro_valid_until) if listing.inmetro_valid_until else None
    score = quality_score(
        QualityFacts(
            kind=listing.kind,
            specs=specs,
            has_price=listing.price is not None and listing.price > 0,
            warranty_years=listing.warranty_years,
            inmetro_registration=listing.inmetro_registration,
            inmetro_valid_until=valid_until,
            images=len(listing.images),
            datasheet=bool(listing.datasheet_url),
            description=listing.description,
        ),
        today=today,
    )
    return Verdict(accepted=not reasons, reasons=reasons, warnings=warnings, specs=specs, quality_score=score)

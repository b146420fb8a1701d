"""Enrich: fill what normalizing left empty, and analyse prices across offers.

* Rule-based extraction, always: descriptions and datasheet text ("Voc: 49,65 V", "eficiência de
  21,3%", "6.000 ciclos") through the same label vocabulary as attribute tables.
* LLM structured extraction, when ``ysh.llm`` is configured: a JSON schema built from the kind's
  ``catalog.specs`` model; the answer only fills missing fields and each value must pass the same
  schema validation as everything else. An LLM failure never fails the run: after
  ``LLM_MAX_CONSECUTIVE_FAILURES`` in a row it is switched off for the rest of the run.
* Price analysis across a product's active offers: min / median / max, R$/Wp, stock by state —
  denormalized onto Product by ``catalog.pipeline.persist``.
"""

import logging
import statistics
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline import spec_rules
from catalog.pipeline.compliance import ence_parse, inmetro_parse, warranty_parse
from catalog.pipeline.types import ListingData, NormalizedListing
from catalog.specs import KEY_FIELDS, SPEC_MODELS, specs_coverage, specs_validate

logger = logging.getLogger(__name__)

LLM_MAX_CONSECUTIVE_FAILURES = 3
#: Attribute values longer than this are treated as free text (datasheet excerpts, notes).
_LONG_TEXT = 120


def listing_text(data: ListingData) -> str:
    """Everything free-form a listing says: description plus long attribute values."""
    long_values = [f"{k}: {v}" for k, v in (data.attributes or {}).items() if v and len(str(v)) >= _LONG_TEXT]
    return "\n".join(filter(None, [data.description, *long_values]))


def listing_enrich_rules(listing: NormalizedListing, *, data: ListingData) -> list[str]:
    """Fill missing specs, warranty, INMETRO and ENCE from the listing's free text. Returns the
    names of the fields it filled."""
    text = listing_text(data)
    if not text.strip():
        return []
    filled = []
    for name, value in spec_rules.text_to_specs(listing.kind, text).items():
        if name not in listing.specs:
            listing.specs[name] = value
            filled.append(name)
    if not listing.inmetro_registration:
        registration, valid_until = inmetro_parse(text)
        if registration:
            listing.inmetro_registration, listing.inmetro_valid_until = registration, valid_until
            filled.append("inmetro_registration")
    if listing.warranty_years is None:
        product, performance = warranty_parse(text, kind=listing.kind)
        if product:
            listing.warranty_years = product
            filled.append("warranty_years")
        if performance and listing.performance_warranty_years is None:
            listing.performance_warranty_years = performance
    if not listing.ence_class:
        listing.ence_class = ence_parse(text)
    return filled


# --- LLM ---------------------------------------------------------------------------------------
def _json_type(annotation: Any) -> dict[str, Any] | None:
    """The strict-mode JSON schema of one spec field (every field nullable: "not stated")."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return _json_type(args[0]) if len(args) == 1 else None
    if origin is typing.Annotated:
        return _json_type(args[0])
    if origin is Literal:
        values = list(typing.get_args(annotation))
        kind = "integer" if all(isinstance(v, int) for v in values) else "string"
        return {"type": [kind, "null"], "enum": [*values, None]}
    mapping = {float: "number", int: "integer", bool: "boolean", str: "string"}
    if annotation in mapping:
        return {"type": [mapping[annotation], "null"]}
    return None


def llm_schema_for(kind: str) -> dict[str, Any]:
    """A strict JSON schema with the fields of the kind's spec model."""
    model = SPEC_MODELS[kind]
    properties: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        schema = _json_type(info.annotation)
        if schema is None:
            continue
        if info.description:
            schema["description"] = info.description
        properties[name] = schema
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


LLM_INSTRUCTIONS = (
    "You extract technical specifications of solar equipment sold in Brazil from a distributor "
    "listing written in Portuguese. Return only values the text states explicitly; use null for "
    "anything not stated — never estimate. Units: power in W (5 kW → 5000), voltages in V, "
    "currents in A, dimensions in mm, weight in kg, efficiency and percentages as numbers "
    "(21,3% → 21.3), battery capacity in kWh, kit power in kWp. Brazilian decimals use a comma."
)


@dataclass
class LLMEnricher:
    """LLM extraction for one import run, with a breaker so a dead endpoint costs little."""

    calls: int = 0
    filled_fields: int = 0
    failures: int = 0
    consecutive_failures: int = 0
    disabled_reason: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return not self.disabled_reason

    def wants(self, listing: NormalizedListing) -> bool:
        return (
            self.enabled
            and listing.kind in KEY_FIELDS
            and listing.kind in SPEC_MODELS
            and specs_coverage(listing.kind, listing.specs) < 1
        )

    def enrich(self, listing: NormalizedListing, *, data: ListingData) -> list[str]:
        """Fill missing spec fields from the LLM; returns the names filled. Never raises."""
        from ysh.llm import LLMError, LLMNotConfigured, LLMUnavailable, llm_extract_json

        if not self.wants(listing):
            return []
        attributes = "\n".join(f"{k}: {v}" for k, v in (data.attributes or {}).items())
        content = f"Título: {data.title}\nCategoria: {data.category}\n{attributes}\n{listing_text(data)}"
        self.calls += 1
        try:
            answer = llm_extract_json(
                instructions=LLM_INSTRUCTIONS,
                content=content[:6000],
                schema=llm_schema_for(listing.kind),
                schema_name=f"{listing.kind}_specs",
            )
        except LLMNotConfigured as exc:
            self.disabled_reason = str(exc)
            return []
        except LLMError as exc:
            self.failures += 1
            self.consecutive_failures += 1
            self.errors.append(f"{listing.external_id}: {exc}")
            if isinstance(exc, LLMUnavailable) and self.consecutive_failures >= LLM_MAX_CONSECUTIVE_FAILURES:
                self.disabled_reason = f"LLM switched off for this run after {self.failures} failures: {exc}"
            logger.warning("LLM extraction failed for %s: %s", listing.external_id, exc)
            return []
        self.consecutive_failures = 0
        filled = specs_fill_missing(listing, answer)
        self.filled_fields += len(filled)
        return filled


def specs_fill_missing(listing: NormalizedListing, proposed: dict[str, Any]) -> list[str]:
    """Add the proposed values of fields the listing lacks, keeping only those that pass the
    kind's schema together with what is already there."""
    candidates = {k: v for k, v in proposed.items() if v is not None and k not in listing.specs}
    if not candidates:
        return []
    _, baseline = specs_validate(listing.kind, listing.specs)
    accepted: list[str] = []
    for name, value in candidates.items():
        trial = {**listing.specs, name: value}
        _, problems = specs_validate(listing.kind, trial)
        if len(problems) <= len(baseline):
            listing.specs[name] = value
            accepted.append(name)
    return accepted


# --- price analysis ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OfferFacts:
    price: Decimal
    stock: int
    state: str
    is_active: bool = True


CENTS = Decimal("0.01")


def offer_summary(offers: Iterable[OfferFacts], *, kind: str, power_w: Decimal | None) -> dict[str, Any]:
    """The denormalized offer summary of a product: price statistics over its active offers,
    R$/Wp for modules and kits (``power_w`` is the module Wp or the kit's total Wp), stock."""
    active = [o for o in offers if o.is_active]
    prices = sorted(o.price for o in active)
    if not prices:
        return {
            "min_price": None,
            "max_price": None,
            "median_price": None,
            "price_per_wp": None,
            "offer_count": 0,
            "in_stock": False,
            "stock_states": [],
        }
    median = Decimal(statistics.median(prices)).quantize(CENTS, rounding=ROUND_HALF_UP)
    per_wp = None
    if kind in (K.MODULE, K.KIT) and power_w:
        per_wp = (prices[0] / Decimal(power_w)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    states = sorted({o.state for o in active if o.stock > 0 and o.state})
    return {
        "min_price": prices[0],
        "max_price": prices[-1],
        "median_price": median,
        "price_per_wp": per_wp,
        "offer_count": len(active),
        "in_stock": any(o.stock > 0 for o in active),
        "stock_states": states,
    }

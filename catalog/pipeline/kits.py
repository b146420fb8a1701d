"""Kits ("geradores"): linking a kit's listed components to catalog products, and a kit identity
that does not depend on how a distributor titles it.

Distributors name components by their own SKU ("FTL-INV-00089"), by a title ("Inv. Growatt
MIN 3600TL-X 3,6kW Mono 220V", "8 Painéis Trina 535W") or by a code. A kit's identity is its
inverter's brand and a key built from its main parts — inverters by model key, modules by brand
and Wp (a kit says "Trina 535W" as often as "TSM-535DE19"), batteries by model key — with
quantities, plus the roof type (its structure): two distributors' kits meet only when they are
the same set of equipment. Kits are imported after everything else in a run, so the
distributor's own components already exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from catalog.models import Offer
from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline import dedup
from catalog.pipeline.model_codes import code_power, model_code_extract, model_key
from catalog.pipeline.normalize import BrandEntry, kind_detect, product_name
from catalog.pipeline.spec_rules import title_to_specs
from catalog.pipeline.types import NormalizedListing
from catalog.pipeline.units import decimal_parse, number_clean
from catalog.reference import alias_normalize

if TYPE_CHECKING:
    from catalog.pipeline.prepare import RunContext

MAIN_PARTS = {K.INVERTER: 0, K.MICROINVERTER: 0, K.MODULE: 1, K.BATTERY: 2}
INVERTER_KINDS = (K.INVERTER, K.MICROINVERTER)


@dataclass
class ComponentText:
    """What a component's text says: kind, brand, code and specs."""

    kind: str
    brand: BrandEntry | None
    code: str
    key: str
    specs: dict[str, Any]
    power: Decimal | None  # module Wp, inverter AC W, battery Wh


@dataclass
class KitPart:
    kind: str
    brand_id: int | None
    key: str  # the part's share of the kit key
    label: str  # how the kit's model code names it
    power: Decimal | None
    quantity: int


def component_skus(ctx: RunContext, kits: list[NormalizedListing]) -> dict[str, dedup.ProductRef]:
    """The kit components named by the distributor's own SKU, resolved in one query."""
    texts = {str(text)[:120] for listing in kits for text, _ in listing.components}
    found = {}
    for sku, product_id in Offer.objects.filter(distributor=ctx.distributor, sku__in=texts).values_list(
        "sku", "product_id"
    ):
        ref = ctx.index.by_id.get(product_id)
        if ref is not None:
            found[sku] = ref
    return found


def component_read(ctx: RunContext, text: str) -> ComponentText | None:
    brand = ctx.reference.brand_in_text(text)
    if brand is None or brand.id is None:
        return None
    kind = kind_detect(category="", title=text)
    specs = title_to_specs(kind, text)
    module_power = decimal_parse(specs["power_w"]) if kind == K.MODULE and specs.get("power_w") else None
    code = model_code_extract(
        explicit="",
        title=text,
        brand_words=ctx.reference.brand_words(brand),
        series=brand.ref.series if brand.ref else (),
        families=brand.ref.families if brand.ref else (),
        power_w=module_power,
    )
    exact = code_power(code, module_power) if module_power else None
    if exact is not None:
        specs["power_w"] = number_clean(exact)
    key = model_key(code, kind=kind, power_w=exact or module_power) if code else ""
    probe = _probe(kind, specs)
    return ComponentText(kind, brand, code, key, specs, dedup.listing_power(probe))


def component_lookup(ctx: RunContext, component: ComponentText) -> dedup.ProductRef | None:
    """The catalog product a component text names: exact key, then a confident fuzzy match, then
    the brand's only product of that kind and power."""
    brand_id = component.brand.id
    found = ctx.index.get(brand_id, component.kind, component.key) if component.key else None
    if found is None and component.code:
        probe = _probe(component.kind, component.specs, code=component.code, key=component.key)
        match = dedup.listing_match(probe, brand_id=brand_id, index=ctx.index)
        if match.decision in ("exact", "merge"):
            found = ctx.index.by_id[match.product_id]
    if found is None and component.kind in MAIN_PARTS and component.power:
        fits = [
            ref
            for ref in ctx.index.buckets.get((brand_id, component.kind), {}).values()
            if ref.power
            and dedup.power_compatible(ref.power, component.power, component.kind)
            and dedup.traits_compatible(dedup.traits_of(component.specs), ref.traits)
        ]
        if len(fits) == 1:
            found = fits[0]
    return found


def kit_identity_resolve(
    ctx: RunContext, listing: NormalizedListing, by_sku: dict[str, dedup.ProductRef]
) -> tuple[list[tuple[int, int]], list[str]]:
    """Resolve the kit's components, fill its totals and set its identity (brand, model code and
    key, name). Returns the resolved (product id, quantity) pairs and notes on the rest."""
    resolved: list[tuple[int, int]] = []
    notes: list[str] = []
    parts: list[KitPart] = []
    for text, quantity in listing.components:
        quantity = int(quantity)
        text = str(text)
        ref = by_sku.get(text[:120])
        component = None if ref else component_read(ctx, text)
        if ref is None and component is not None:
            ref = component_lookup(ctx, component)
        if ref is not None and quantity >= 1:
            resolved.append((ref.id, quantity))
        else:
            notes.append(_("kit component not in the catalog: %(text)r") % {"text": text})
        part = _part(ctx, ref, component, quantity)
        if part is not None:
            parts.append(part)
    specs = listing.specs
    modules = [p for p in parts if p.kind == K.MODULE]
    inverters = [p for p in parts if p.kind in INVERTER_KINDS]
    if modules:
        specs.setdefault("module_count", sum(p.quantity for p in modules))
        if "power_kwp" not in specs and all(p.power for p in modules):
            specs["power_kwp"] = number_clean(sum(p.power * p.quantity for p in modules) / 1000)
    if inverters:
        specs.setdefault("inverter_count", sum(p.quantity for p in inverters))
    if not (modules and inverters):
        return resolved, notes  # keep the identity the title gave
    main = sorted(parts, key=lambda p: (MAIN_PARTS[p.kind], p.key))
    roof = str(specs.get("roof_type") or "").upper()
    listing.model_key = ("KIT" + "".join(f"{p.key}X{p.quantity}" for p in main) + roof)[:120]
    listing.model_code = " + ".join(f"{p.quantity}× {p.label}" if p.quantity > 1 else p.label for p in main)[
        :120
    ]
    brand_name = ctx.reference.brand_name(inverters[0].brand_id) if inverters[0].brand_id else ""
    if brand_name:
        listing.brand_name = brand_name
        listing.brand_known = True
        listing.problems = [p for p in listing.problems if not p.startswith("brand ")]
    listing.name = product_name(
        kind=K.KIT, brand=listing.brand_name, model_code=listing.model_code, specs=specs
    )
    return resolved, notes


def _part(
    ctx, ref: dedup.ProductRef | None, component: ComponentText | None, quantity: int
) -> KitPart | None:
    kind = ref.kind if ref else component.kind if component else None
    if kind not in MAIN_PARTS or quantity < 1:
        return None
    brand_id = ref.brand_id if ref else component.brand.id
    power = ref.power if ref else component.power
    brand_name = ctx.reference.brand_name(brand_id)
    if kind == K.MODULE:
        if not power:
            return None
        watts = int(power)
        return KitPart(
            kind,
            brand_id,
            f"{alias_normalize(brand_name).upper()}{watts}W",
            f"{brand_name} {watts} W",
            power,
            quantity,
        )
    key = ref.model_key if ref else component.key
    if not key:
        return None
    return KitPart(kind, brand_id, key, ref.model_code if ref else component.code, power, quantity)


def _probe(kind: str, specs: dict[str, Any], *, code: str = "", key: str = "") -> NormalizedListing:
    return NormalizedListing(
        external_id="",
        kind=kind,
        category_slug="",
        brand_name="",
        brand_known=True,
        model_code=code,
        model_key=key,
        title="",
        name="",
        price=None,
        specs=specs,
    )

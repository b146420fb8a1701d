"""Normalize: a distributor's ListingData → our NormalizedListing (kind, category, canonical brand,
model code and key, typed specs from attributes and title, BRL price, INMETRO, warranty).

Pure functions over a ``Reference`` snapshot (brands by alias, categories by slug) loaded once per
import run, so normalizing a listing issues no query. What cannot be resolved goes into
``problems``; the validate stage turns problems into rejection reasons.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline import spec_rules
from catalog.pipeline.compliance import ence_parse, inmetro_parse, warranty_parse
from catalog.pipeline.model_codes import code_power, model_code_extract, model_key
from catalog.pipeline.model_codes import is_code as _looks_like_code
from catalog.pipeline.types import ListingData, NormalizedListing
from catalog.pipeline.units import decimal_parse, number_clean, text_fold
from catalog.reference import BRANDS, KIND_DEFAULT_CATEGORY, NOT_BRANDS, BrandRef, alias_normalize

# Product nouns in titles and distributor categories, folded. The earliest one in a title is the
# product (Portuguese titles start with the noun: "Cabo Solar … para painel" is a cable).
KIND_KEYWORDS: list[tuple[str, str]] = [
    (K.KIT, r"\bkits?\b|\bgerador(?:es)?\b"),
    (K.MICROINVERTER, r"\bmicro[- ]?inversor|\bmicroinverter"),
    (K.INVERTER, r"\binversor|\binv\b\.?|\binverter|\bhibrido"),
    (K.CHARGE_CONTROLLER, r"\bcontrolador"),
    (K.STRING_BOX, r"\bstring ?box|\bquadro de protecao|\bcaixa de juncao"),
    (K.BATTERY, r"\bbateria"),
    (
        K.STRUCTURE,
        r"\bestrutura|\bsuporte|\bfixacao|\btrilho|\bperfil\b|\bgancho|\bgrampo|\bclamp"
        r"|\bterminal final|\bterminal intermediario|\bemenda de trilho",
    ),
    (K.CONNECTOR, r"\bconector|\bmc4\b|\bmc-4\b|\bderivacao y\b|\bderivador"),
    (K.CABLE, r"\bcabos?\b"),
    (K.MODULE, r"\bpaine(?:l|is)\b|\bmodulos?\b|\bmod\.? fv\b|\bplacas? (?:solar|fotovoltaica)|\bplacas?\b"),
]
_KIND_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in KIND_KEYWORDS]
# "Kit" names a generator unless what follows is a part ("Kit Estrutura p/ 4 módulos").
_KIT_OF_PARTS = {K.STRUCTURE, K.CONNECTOR, K.CABLE, K.STRING_BOX}
_GENERATOR_HINTS = re.compile(r"gerador|kwp|fotovoltaico completo|on[- ]?grid|off[- ]?grid|hibrido")

KIND_NOUN: dict[str, str] = {
    K.MODULE: "Módulo Fotovoltaico",
    K.INVERTER: "Inversor",
    K.MICROINVERTER: "Microinversor",
    K.BATTERY: "Bateria",
    K.STRUCTURE: "Estrutura",
    K.STRING_BOX: "String Box",
    K.CABLE: "Cabo Solar",
    K.CONNECTOR: "Conector",
    K.CHARGE_CONTROLLER: "Controlador de Carga",
    K.KIT: "Kit Gerador Fotovoltaico",
    K.OTHER: "",
}
# Kinds whose identity is their manufacturer code: without one the listing cannot be matched.
CODE_REQUIRED = {K.MODULE, K.INVERTER, K.MICROINVERTER}


@dataclass
class BrandEntry:
    id: int | None
    name: str
    ref: BrandRef | None = None


@dataclass
class Reference:
    """What normalizing needs from the database, loaded once per run."""

    brands_by_alias: dict[str, BrandEntry] = field(default_factory=dict)
    category_ids: dict[str, int] = field(default_factory=dict)
    _words: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _names: dict[int, str] = field(default_factory=dict, repr=False)

    def brand_lookup(self, text: str) -> BrandEntry | None:
        key = alias_normalize(text)
        if not key or key in NOT_BRANDS:
            return None
        found = self.brands_by_alias.get(key)
        if found is None:
            # "Canadian Solar Inc.", "Growatt New Energy Co., Ltd": drop the company suffixes.
            trimmed = re.sub(r"(coltd|ltda|ltd|inc|sa|co|gmbh|corp|corporation|group|grupo)+$", "", key)
            found = self.brands_by_alias.get(trimmed)
        return found

    def brand_in_text(self, text: str) -> BrandEntry | None:
        """The first brand named in a title (a kit names its inverter's brand first), spelled by
        1–3 consecutive words, the longest spelling at that position."""
        words = [w for w in re.split(r"[^0-9a-z]+", text_fold(text)) if w]
        for i in range(len(words)):
            for size in (3, 2, 1):
                entry = self.brands_by_alias.get("".join(words[i : i + size]))
                if entry:
                    return entry
        return None

    def brand_words(self, entry: BrandEntry | None) -> set[str]:
        if entry is None:
            return set()
        cached = self._words.get(entry.name)
        if cached is None:
            cached = {alias for alias, e in self.brands_by_alias.items() if e.name == entry.name}
            cached.update(alias_normalize(w) for w in entry.name.split())
            self._words[entry.name] = cached
        return set(cached)

    def brand_name(self, brand_id: int) -> str:
        if not self._names:
            self._names.update({e.id: e.name for e in self.brands_by_alias.values()})
        return self._names.get(brand_id) or next(
            (e.name for e in self.brands_by_alias.values() if e.id == brand_id), ""
        )


def reference_from_rows(
    brands: list[tuple[int, str]], aliases: list[tuple[str, int]], categories
) -> Reference:
    """Build a Reference from (id, name) brands, (alias, brand_id) aliases, (slug, id) categories."""
    refs = {ref.name: ref for ref in BRANDS}
    by_id = {pk: BrandEntry(id=pk, name=name, ref=refs.get(name)) for pk, name in brands}
    by_alias = {alias_normalize(e.name): e for e in by_id.values()}
    for alias, brand_id in aliases:
        if brand_id in by_id:
            by_alias[alias_normalize(alias)] = by_id[brand_id]
    return Reference(brands_by_alias=by_alias, category_ids=dict(categories))


def kind_detect(*, category: str, title: str, attributes: dict[str, str] | None = None) -> str:
    folded_title = text_fold(title)
    title_kind, title_pos = _earliest_kind(folded_title)
    if title_kind is not None and title_pos <= 12:
        return title_kind
    for segment in reversed(re.split(r">|/|\||»|›|,", text_fold(category))):
        kind, _ = _earliest_kind(segment)
        if kind is not None:
            return kind
    if title_kind is not None:
        return title_kind
    attrs = " ".join(f"{k} {v}" for k, v in (attributes or {}).items())
    if re.search(r"\bwp\b|pmax", text_fold(attrs)):
        return K.MODULE
    return K.OTHER


def _earliest_kind(text: str) -> tuple[str | None, int]:
    hits: list[tuple[int, int, str]] = []
    for order, (kind, pattern) in enumerate(_KIND_PATTERNS):
        match = pattern.search(text)
        if match:
            hits.append((match.start(), order, kind))
    if not hits:
        return None, 10**6
    hits.sort()
    position, _, kind = hits[0]
    if kind == K.KIT and len(hits) > 1 and not _GENERATOR_HINTS.search(text):
        next_kind = hits[1][2]
        if next_kind in _KIT_OF_PARTS:
            return next_kind, position
    return kind, position


def category_slug_for(kind: str, specs: dict[str, Any], title: str) -> str:
    folded = text_fold(title)
    if kind == K.MODULE and specs.get("bifacial"):
        return "modulos-bifaciais"
    if kind == K.INVERTER:
        return {"hybrid": "inversores-hibridos", "off-grid": "inversores-off-grid"}.get(
            specs.get("inverter_type", ""), "inversores-on-grid"
        )
    if kind == K.BATTERY and specs.get("chemistry") in {"lead-acid", "gel", "agm"}:
        return "baterias-chumbo"
    if kind == K.STRUCTURE and specs.get("roof_type") in {"laje", "solo"}:
        return "estruturas-laje-solo"
    if kind == K.KIT and re.search(r"hibrid|off[- ]?grid|bateria", folded):
        return "kits-hibridos"
    return KIND_DEFAULT_CATEGORY[kind]


def _synthetic_code(kind: str, specs: dict[str, Any], title: str, brand_words: set[str]) -> str:
    """A model code for parts sold without one (cables, structures, string boxes, kits…), built
    from the specs that identify them so the same part from two distributors meets."""
    parts: list[Any] = []
    if kind == K.CABLE and specs.get("section_mm2"):
        length = specs.get("length_m")
        parts = [f"{specs['section_mm2']}MM2", specs.get("color", "").upper(), f"{length}M" if length else ""]
    elif kind == K.STRUCTURE and specs.get("roof_type"):
        count = specs.get("modules_supported")
        parts = [str(specs["roof_type"]).upper(), f"{count}MOD" if count else ""]
    elif kind == K.STRING_BOX and specs.get("inputs"):
        voltage = specs.get("max_voltage_v")
        parts = [f"{specs['inputs']}E/{specs.get('outputs', '')}S", f"{voltage}V" if voltage else ""]
    elif kind == K.KIT and specs.get("power_kwp"):
        codes = [t for t in title.split() if _looks_like_code(t)]
        parts = [f"{round(float(specs['power_kwp']) * 1000)}WP", *codes[:3]]
    parts = [str(p) for p in parts if p]
    if parts:
        return " ".join(parts)[:120]
    noun = KIND_KEYWORDS_BY_KIND.get(kind)
    words = [
        w
        for w in re.split(r"[^0-9a-z²]+", text_fold(title))
        if w and w not in brand_words and w not in _STOPWORDS and not (noun and re.fullmatch(noun, w))
    ]
    return " ".join(words[:6]).upper()


KIND_KEYWORDS_BY_KIND = {kind: pattern for kind, pattern in KIND_KEYWORDS}
_STOPWORDS = {
    "de",
    "da",
    "do",
    "para",
    "p",
    "com",
    "e",
    "em",
    "a",
    "o",
    "solar",
    "fotovoltaico",
    "fotovoltaica",
}


def listing_normalize(data: ListingData, *, reference: Reference) -> NormalizedListing:
    problems: list[str] = []
    title = " ".join((data.title or "").split())
    kind = kind_detect(category=data.category, title=title, attributes=data.attributes)

    attr_specs, meta = spec_rules.attributes_to_specs(kind, data.attributes)
    specs = spec_rules.title_to_specs(kind, title)
    specs.update(attr_specs)  # the attribute table is more precise than the title

    brand_text = (data.brand or meta.get("brand", "")).strip()
    brand = reference.brand_lookup(brand_text) if brand_text else None
    if brand is None and not brand_text:
        brand = reference.brand_in_text(title)
    brand_known = brand is not None
    brand_name = brand.name if brand else brand_text
    if brand is None:
        if _brand_is_confident(brand_text, title):
            brand_name = " ".join(brand_text.split())[:80]
        else:
            problems.append(
                _("brand not recognized: %(brand)r") % {"brand": brand_text}
                if brand_text
                else _("brand not found in the listing")
            )
    brand_words = reference.brand_words(brand) | {alias_normalize(w) for w in brand_name.split()}

    power = _power_of(kind, specs)
    code = model_code_extract(
        explicit=data.model or meta.get("model", ""),
        title=title,
        brand_words=brand_words,
        series=brand.ref.series if brand and brand.ref else (),
        families=brand.ref.families if brand and brand.ref else (),
        power_w=power,
    )
    exact_power = code_power(code, power) if kind == K.MODULE else None
    if exact_power is not None:
        specs["power_w"] = number_clean(exact_power)
        power = exact_power
    if not code:
        if kind in CODE_REQUIRED:
            problems.append(_("model code not found in the model field, attributes or title"))
        else:
            code = _synthetic_code(kind, specs, title, brand_words)
    key = model_key(code, kind=kind, power_w=power) if code else ""
    if code and not key:
        problems.append(_("model code %(code)r has no letters or digits") % {"code": code})

    price = data.price
    warehouse_prices = [w.price for w in data.warehouses if w.price is not None]
    if price is None and warehouse_prices:
        price = min(warehouse_prices)
    if price is None:
        problems.append(_("price missing"))

    registration, valid_until = inmetro_parse(" ".join([data.inmetro, meta.get("inmetro", "")]))
    if not registration:
        registration, valid_until = inmetro_parse(data.description)
    warranty_text = " ".join(filter(None, [data.warranty, meta.get("warranty", "")]))
    warranty_years, performance_years = warranty_parse(warranty_text or data.description, kind=kind)
    ence = ence_parse(meta.get("ence", "")) or ence_parse(data.description)

    category_slug = category_slug_for(kind, specs, title)
    return NormalizedListing(
        external_id=data.external_id,
        kind=kind,
        category_slug=category_slug,
        brand_name=brand_name,
        brand_known=brand_known,
        model_code=code,
        model_key=key,
        title=title[:300],
        name=product_name(kind=kind, brand=brand_name, model_code=code, specs=specs),
        price=price,
        description=(data.description or "").strip(),
        specs=specs,
        images=[i for i in data.images if i][:12],
        datasheet_url=data.datasheet_url or "",
        url=data.url or "",
        inmetro_registration=registration,
        inmetro_valid_until=valid_until,
        ence_class=ence,
        warranty_years=warranty_years,
        performance_warranty_years=performance_years,
        warehouses=list(data.warehouses),
        components=list(data.components),
        problems=problems,
    )


def _brand_is_confident(brand_text: str, title: str) -> bool:
    """An unknown brand is created only when the feed names it in its brand field AND the title
    repeats it: two independent mentions, not a stray word."""
    key = alias_normalize(brand_text)
    if key in NOT_BRANDS or not (2 <= len(key) <= 40) or key.isdigit() or len(brand_text.split()) > 4:
        return False
    return key in alias_normalize(title)


def _power_of(kind: str, specs: dict[str, Any]) -> Decimal | None:
    value = specs.get("power_w") if kind == K.MODULE else None
    return decimal_parse(value) if value is not None else None


def product_name(*, kind: str, brand: str, model_code: str, specs: dict[str, Any]) -> str:
    """The canonical product name: noun, brand, model and the headline spec, in Portuguese
    ("Módulo Fotovoltaico JA Solar JAM72S30-550/MR 550 W")."""
    headline = ""
    if kind == K.MODULE and specs.get("power_w"):
        headline = f"{specs['power_w']} W"
    elif kind in (K.INVERTER, K.MICROINVERTER) and specs.get("ac_power_w"):
        kw = Decimal(str(specs["ac_power_w"])) / 1000
        headline = f"{number_clean(kw)} kW".replace(".", ",")
    elif kind == K.BATTERY and specs.get("capacity_kwh"):
        headline = f"{specs['capacity_kwh']} kWh".replace(".", ",")
    elif kind == K.KIT and specs.get("power_kwp"):
        headline = f"{specs['power_kwp']} kWp".replace(".", ",")
    if headline and re.sub(r"\D", "", headline.split()[0]) in re.sub(r"\D", "", model_code):
        headline = ""
    parts = [KIND_NOUN.get(kind, ""), brand, model_code, headline]
    return " ".join(p for p in parts if p)[:255]

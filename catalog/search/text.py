"""The searchable document of a product.

``product_document`` writes two texts from the same facts:

* ``text`` — natural Portuguese ("Inversor Fronius Primo 5.0-1 · Fronius · inversor solar … 5 kW,
  monofásico, 220 V"), what the embedder sees;
* ``search_text`` — the same plus brand aliases and compact model codes, folded for matching
  (lower case, no accents, punctuation → spaces, decimal comma → dot), stored in
  ``Product.search_text`` and read by the lexical search on both databases.

Specs are written the way people type them in a search box: "550 W", "550w", "5 kW", "5,12 kWh",
"bifacial", "monofásico", "lítio".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog.models.taxonomy import ProductKind

K = ProductKind

# Longest stored search text (real documents are about 300 characters): its tsvector rides in
# the lexical pool index (migration 0005), whose entries must stay under btree's ~2.7 kB.
MAX_SEARCH_TEXT = 1000

KIND_WORDS: dict[str, str] = {
    K.MODULE: "painel solar, módulo fotovoltaico, placa solar",
    K.INVERTER: "inversor solar fotovoltaico",
    K.MICROINVERTER: "microinversor, micro inversor solar",
    K.BATTERY: "bateria, armazenamento de energia",
    K.STRUCTURE: "estrutura de fixação, suporte para painéis",
    K.STRING_BOX: "string box, stringbox, caixa de proteção CC",
    K.CABLE: "cabo solar fotovoltaico",
    K.CONNECTOR: "conector MC4",
    K.CHARGE_CONTROLLER: "controlador de carga",
    K.KIT: "kit gerador fotovoltaico, kit energia solar",
    K.OTHER: "acessório solar",
}

CELL_WORDS = {
    "mono": "monocristalino",
    "poly": "policristalino",
    "n-type": "tipo N, n-type",
    "topcon": "TOPCon, tipo N",
    "hjt": "heterojunção, HJT",
    "ibc": "IBC, contato traseiro",
    "perc": "PERC, monocristalino",
    "thin-film": "filme fino",
}
CHEMISTRY_WORDS = {
    "lfp": "lítio, LFP, LiFePO4, fosfato de ferro-lítio",
    "nmc": "lítio, NMC",
    "lead-acid": "chumbo-ácido, estacionária",
    "gel": "gel, chumbo-ácido, estacionária",
    "agm": "AGM, chumbo-ácido, estacionária",
}
PHASE_WORDS = {1: "monofásico", 2: "bifásico", 3: "trifásico"}
INVERTER_TYPE_WORDS = {
    "string": "on-grid, string",
    "hybrid": "híbrido, hybrid, on-grid com bateria",
    "off-grid": "off-grid, off grid, isolado",
    "micro": "microinversor",
}

_COMBINING = re.compile(r"[\u0300-\u036f]")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_NOT_WORD = re.compile(r"[^a-z0-9.]+")
_LOOSE_DOT = re.compile(r"\.(?!\d)|(?<!\d)\.")
_SPACES = re.compile(r"\s+")


def search_fold(text: str) -> str:
    """ "Inversor Híbrido 5,12 kWh (MC4)/ HMS-2000" → "inversor hibrido 5.12 kwh mc4 hms 2000"."""
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", text or "")).lower()
    folded = _DECIMAL_COMMA.sub(".", folded)
    folded = _NOT_WORD.sub(" ", folded)
    folded = _LOOSE_DOT.sub(" ", folded)
    return _SPACES.sub(" ", folded).strip()


def number_text(value: Any, places: int = 2) -> str:
    """A number the Brazilian way, without useless zeros: 5.12 → "5,12", 550.0 → "550"."""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places)).normalize()
    text = format(number, "f")
    return text.replace(".", ",")


def _watts(value: Any) -> list[str]:
    watts = number_text(value, 1)
    return [f"{watts} W", f"{watts}W"]


def _kilowatts(value: Any, unit: str = "kW") -> list[str]:
    kw = number_text(Decimal(str(value)) / 1000, 2)
    return [f"{kw} {unit}", f"{kw}{unit}"]


def _spec(specs: dict[str, Any], key: str, fallback: Any = None) -> Any:
    value = specs.get(key)
    return fallback if value in (None, "") else value


def spec_phrases(*, kind: str, specs: dict[str, Any], power_w=None, energy_wh=None, phases=None,
                 voltage_v=None) -> list[str]:  # fmt: skip
    """The product's key specs as searchable phrases."""
    phrases: list[str] = []
    phases = _spec(specs, "phases", phases)
    if kind == K.MODULE:
        power = _spec(specs, "power_w", power_w)
        if power:
            phrases += [*_watts(power), f"{number_text(power, 1)} Wp"]
        bifacial = specs.get("bifacial")
        if bifacial is True:
            phrases.append("bifacial")
        elif bifacial is False:
            phrases.append("monofacial")
        if specs.get("cell_type") in CELL_WORDS:
            phrases.append(CELL_WORDS[specs["cell_type"]])
        if specs.get("half_cell"):
            phrases.append("half cell, meia célula")
        if specs.get("efficiency_pct"):
            phrases.append(f"eficiência {number_text(specs['efficiency_pct'], 1)}%")
    elif kind in (K.INVERTER, K.MICROINVERTER):
        power = _spec(specs, "ac_power_w", power_w)
        if power:
            phrases += _watts(power)
            if Decimal(str(power)) >= 1000:
                phrases += _kilowatts(power)
        inverter_type = specs.get("inverter_type")
        if kind == K.INVERTER and inverter_type in INVERTER_TYPE_WORDS:
            phrases.append(INVERTER_TYPE_WORDS[inverter_type])
        if specs.get("mppt_count"):
            phrases.append(f"{specs['mppt_count']} MPPT")
        if specs.get("modules_per_unit"):
            phrases.append(f"{specs['modules_per_unit']} módulos por unidade")
    elif kind == K.BATTERY:
        capacity = specs.get("capacity_kwh")
        if capacity is None and energy_wh:
            capacity = Decimal(str(energy_wh)) / 1000
        if capacity:
            phrases += [f"{number_text(capacity, 2)} kWh", f"{number_text(capacity, 2)}kWh"]
        if specs.get("chemistry") in CHEMISTRY_WORDS:
            phrases.append(CHEMISTRY_WORDS[specs["chemistry"]])
        if specs.get("nominal_voltage_v"):
            phrases.append(f"{number_text(specs['nominal_voltage_v'], 1)} V")
        if specs.get("cycles"):
            phrases.append(f"{specs['cycles']} ciclos")
    elif kind == K.KIT:
        kwp = specs.get("power_kwp")
        if kwp is None and power_w:
            kwp = Decimal(str(power_w)) / 1000
        if kwp:
            phrases += [
                f"{number_text(kwp, 2)} kWp",
                f"{number_text(kwp, 2)}kWp",
                f"{number_text(kwp, 2)} kW",
            ]
        if specs.get("module_count"):
            phrases.append(f"{specs['module_count']} módulos")
        if specs.get("roof_type"):
            phrases.append(f"telhado {specs['roof_type']}")
    elif kind == K.STRUCTURE:
        if specs.get("roof_type"):
            phrases.append(f"telhado {specs['roof_type']}")
        if specs.get("modules_supported"):
            phrases.append(f"{specs['modules_supported']} módulos")
        if specs.get("material"):
            phrases.append(str(specs["material"]))
    elif kind == K.STRING_BOX:
        if specs.get("inputs"):
            phrases.append(f"{specs['inputs']} entradas")
        if specs.get("outputs"):
            phrases.append(f"{specs['outputs']} saídas")
        if specs.get("max_voltage_v"):
            phrases.append(f"{number_text(specs['max_voltage_v'], 0)} V")
    elif kind == K.CABLE:
        if specs.get("section_mm2"):
            section = number_text(specs["section_mm2"], 1)
            phrases += [f"{section} mm²", f"{section}mm"]
        if specs.get("color"):
            phrases.append(str(specs["color"]))
    if phases in PHASE_WORDS:
        phrases.append(PHASE_WORDS[phases])
    grid_voltage = _spec(specs, "grid_voltage_v", voltage_v)
    if grid_voltage and kind in (K.INVERTER, K.MICROINVERTER, K.KIT):
        phrases.append(f"{grid_voltage} V")
    return phrases


def compact_code(model_code: str) -> str:
    """ "JAM72S30-550/MR" → "jam72s30550mr": people type model codes without separators."""
    return re.sub(r"[^a-z0-9]", "", search_fold(model_code))


@dataclass(frozen=True)
class ProductDocument:
    text: str
    search_text: str


def product_document(
    *,
    name: str,
    kind: str,
    brand: str,
    model_code: str,
    specs: dict[str, Any] | None,
    aliases: Sequence[str] = (),
    categories: Iterable[str] = (),
    power_w=None,
    energy_wh=None,
    phases=None,
    voltage_v=None,
) -> ProductDocument:
    phrases = spec_phrases(
        kind=kind,
        specs=specs or {},
        power_w=power_w,
        energy_wh=energy_wh,
        phases=phases,
        voltage_v=voltage_v,
    )
    kind_words = KIND_WORDS.get(kind, "")
    category_text = ", ".join(categories)
    text = " · ".join(
        part
        for part in (name, f"{brand} {model_code}".strip(), kind_words, category_text, ", ".join(phrases))
        if part
    )
    extra = [*aliases, compact_code(model_code)] if model_code else list(aliases)
    search_text = search_fold(" ".join([text, *extra]))
    # Each word once: repeated words add nothing to matching and skew the rank.
    seen: set[str] = set()
    words = [w for w in search_text.split() if not (w in seen or seen.add(w))]
    return ProductDocument(text=text, search_text=_capped(words))


def _capped(words: list[str]) -> str:
    # The first MAX_SEARCH_TEXT characters, whole words only.
    kept, length = [], -1
    for word in words:
        length += len(word) + 1
        if length > MAX_SEARCH_TEXT:
            break
        kept.append(word)
    return " ".join(kept)

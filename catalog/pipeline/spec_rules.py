"""Rule-based extraction of typed specs from what distributors write.

Three sources, one vocabulary: attribute tables ("Tensão de Circuito Aberto (Voc)": "49,65 V"),
titles ("Painel Solar 550W Mono Half Cell Bifacial"), and free text (descriptions, datasheet
text: "Voc: 49,65 V", "eficiência de 21,3%"). Every rule maps a folded label to one field of
``catalog.specs`` for the listing's kind; values are parsed with ``catalog.pipeline.units``.
Nothing here guesses: a field is set only when the text says it.
"""

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline import spec_values as v
from catalog.pipeline import units as u

INVERTER_KINDS = {K.INVERTER, K.MICROINVERTER}


# --- label rules -------------------------------------------------------------------------------
# (label regex over the folded label, kinds or None for any, field, parser). First match wins,
# so specific labels come before generic ones ("tensao de circuito aberto" before "tensao").
Rule = tuple[str, set[str] | None, str, Callable[[str, str], Any]]
MODULE = {K.MODULE}
BATTERY = {K.BATTERY}
RULES: list[Rule] = [
    # labels that look like specs but are not (their value would be misread)
    (r"toleranc|garantia|temperatura de operacao|fusivel", None, "_ignored", lambda v, label: None),
    # modules
    (r"coef.*(pmax|potencia)", MODULE, "temp_coeff_pmax_pct", v.temp_coefficient),
    (r"coef.*(voc|tensao)", MODULE, "temp_coeff_voc_pct", v.temp_coefficient),
    (r"coef.*(isc|corrente)", MODULE, "temp_coeff_isc_pct", v.temp_coefficient),
    (r"\bvoc\b|circuito aberto", MODULE, "voc_v", v.volts),
    (r"\bisc\b|curto[- ]?circuito", MODULE, "isc_a", v.amps),
    (r"\bvmp+\b|tensao (de |na )?(maxima potencia|potencia maxima|operacao)", MODULE, "vmp_v", v.volts),
    (r"\bimp+\b|corrente (de |na )?(maxima potencia|potencia maxima|operacao)", MODULE, "imp_a", v.amps),
    (r"\bnoct\b|\bnmot\b", MODULE, "noct_c", v.quantity_in("c")),
    (r"tensao maxima (do )?sistema", MODULE, "max_system_voltage_v", v.volts),
    (r"(numero|n|qtd|quantidade) (de )?celulas|^celulas$", MODULE, "cells", v.integer),
    (r"(tipo|tecnologia) (de |da )?celula|^celula$|tecnologia", MODULE, "cell_type", v.cell_type),
    (r"bifacial", MODULE, "bifacial", v.yes_no),
    (r"pmax|potencia", MODULE, "power_w", v.watts),
    (r"eficiencia", MODULE, "efficiency_pct", v.percent),
    # inverters
    (r"mppt.*(faixa|tensao|janela)|(faixa|janela).*mppt", INVERTER_KINDS, "mppt_window", v.mppt_window),
    (r"(numero|n|qtd|quantidade).*mppt|^mppts?$", INVERTER_KINDS, "mppt_count", v.integer),
    (r"strings? por mppt|entradas por mppt", INVERTER_KINDS, "strings_per_mppt", v.integer),
    (r"tensao (de )?partida|start", INVERTER_KINDS, "start_voltage_v", v.volts),
    (r"tensao maxima.*(cc|dc|entrada)|(cc|dc).*tensao maxima", INVERTER_KINDS, "max_dc_voltage_v", v.volts),
    (r"corrente maxima.*(entrada|cc|dc)", INVERTER_KINDS, "max_input_current_a", v.amps),
    (r"potencia maxima.*(cc|dc|fv|pv|entrada)", INVERTER_KINDS, "max_dc_power_w", v.watts),
    (r"potencia|saida ca|\bca\b nominal", INVERTER_KINDS, "ac_power_w", v.watts),
    (r"\bfases?\b|tipo de (rede|conexao)|monofasico|trifasico", INVERTER_KINDS, "phases", v.phases),
    (r"tensao.*(rede|saida|ca\b|ac\b|nominal)", INVERTER_KINDS, "grid_voltage_v", v.grid_voltage),
    (r"eficiencia", INVERTER_KINDS, "efficiency_pct", v.percent),
    (r"modulos por|paineis por|entradas", {K.MICROINVERTER}, "modules_per_unit", v.integer),
    # batteries
    (r"energia util|capacidade util", BATTERY, "usable_kwh", v.kwh),
    (r"capacidade|energia|potencia", BATTERY, "capacity_kwh", v.kwh),
    (r"quimica|tecnologia|tipo", BATTERY, "chemistry", v.chemistry),
    (r"tensao", BATTERY, "nominal_voltage_v", v.volts),
    (r"ciclos|vida util", BATTERY, "cycles", v.integer),
    (r"\bdod\b|profundidade", BATTERY, "dod_pct", v.percent),
    # structures
    (r"telhado|cobertura|aplicacao|tipo de (telha|instalacao)", {K.STRUCTURE, K.KIT}, "roof_type", v.roof),
    (
        r"(quantidade|qtd|numero|n) de (modulos|paineis|placas)|modulos suportados",
        {K.STRUCTURE},
        "modules_supported",
        v.integer,
    ),
    (r"material", {K.STRUCTURE}, "material", v.material),
    # string boxes
    (r"entradas", {K.STRING_BOX}, "inputs", v.integer),
    (r"saidas", {K.STRING_BOX}, "outputs", v.integer),
    (r"tensao", {K.STRING_BOX}, "max_voltage_v", v.volts),
    (r"corrente", {K.STRING_BOX}, "max_current_a", v.amps),
    # cables
    (r"secao|bitola", {K.CABLE}, "section_mm2", v.square_mm),
    (r"comprimento|metragem|rolo|tamanho", {K.CABLE}, "length_m", v.metres),
    (r"\bcor\b", {K.CABLE}, "color", v.color),
    (r"tensao|isolacao", {K.CABLE}, "voltage_rating_v", v.volts),
    # kits
    (r"potencia", {K.KIT}, "power_kwp", v.kwp),
    (r"(quantidade|qtd|numero|n) de (modulos|paineis|placas)", {K.KIT}, "module_count", v.integer),
    (r"(quantidade|qtd|numero|n) de inversores", {K.KIT}, "inverter_count", v.integer),
    (r"\bfases?\b|tipo de (rede|conexao)", {K.KIT}, "phases", v.phases),
    (r"tensao", {K.KIT}, "grid_voltage_v", v.grid_voltage),
    # shared physical data
    (r"dimens|medidas", None, "dimensions", lambda v, label: u.dimensions_mm_parse(v)),
    (r"\bpeso\b", {K.MODULE, K.BATTERY}, "weight_kg", v.kilograms),
]

#: Labels that are not specs but feed other fields of the listing.
META_LABELS: list[tuple[str, str]] = [
    (r"inmetro|registro|certificac", "inmetro"),
    (r"garantia", "warranty"),
    (r"\bence\b|classe (de )?eficiencia|selo procel", "ence"),
    (r"^marca$|fabricante|^brand$", "brand"),
    (r"^modelo$|^model$|\bmpn\b|part ?number|codigo (do )?fabricante|referencia do fabricante", "model"),
]


@lru_cache(maxsize=8192)
def label_fold(label: str) -> str:
    return re.sub(r"[^a-z0-9%/ -]", " ", u.text_fold(label)).replace("  ", " ").strip()


def _assign(specs: dict[str, Any], field: str, value: Any) -> None:
    if value is None or field in specs:
        return
    if field == "mppt_window":
        specs.setdefault("mppt_min_v", value[0])
        specs.setdefault("mppt_max_v", value[1])
    elif field == "dimensions":
        length, width, thickness = value
        specs.setdefault("length_mm", u.number_clean(length))
        specs.setdefault("width_mm", u.number_clean(width))
        if thickness is not None:
            specs.setdefault("thickness_mm", u.number_clean(thickness))
    else:
        specs[field] = value


@lru_cache(maxsize=8192)
def _rule_for(kind: str, folded: str) -> tuple[str, Callable[[str, str], Any]] | None:
    """The first rule whose label pattern matches (labels repeat: the lookup is cached)."""
    for pattern, kinds, field, parser in RULES:
        if (kinds is None or kind in kinds) and re.search(pattern, folded):
            return field, parser
    return None


@lru_cache(maxsize=8192)
def _meta_for(folded: str) -> str | None:
    return next((key for pattern, key in META_LABELS if re.search(pattern, folded)), None)


def label_value_to_specs(kind: str, label: str, value: str, specs: dict[str, Any]) -> bool:
    """Apply the first rule matching ``label``; True when one matched."""
    folded = label_fold(label)
    rule = _rule_for(kind, folded)
    if rule is None:
        return False
    field, parser = rule
    try:
        parsed = parser(str(value), folded)
    except (ValueError, ArithmeticError):
        parsed = None
    _assign(specs, field, parsed)
    return True


def attributes_to_specs(kind: str, attributes: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Specs from an attribute table, plus the meta values (brand, model, INMETRO, warranty, ENCE)
    found among the attributes."""
    specs: dict[str, Any] = {}
    meta: dict[str, str] = {}
    for label, value in (attributes or {}).items():
        if value in (None, ""):
            continue
        folded = label_fold(label)
        meta_key = _meta_for(folded)
        if meta_key:
            # Several rows may feed one meta value ("Registro INMETRO", "Validade Registro INMETRO").
            entry = (
                f"{label}: {str(value).strip()}"
                if meta_key in ("inmetro", "warranty")
                else str(value).strip()
            )
            meta[meta_key] = (
                f"{meta[meta_key]}; {entry}"
                if meta_key in meta and meta_key in ("inmetro", "warranty")
                else meta.get(meta_key, entry)
            )
            continue
        label_value_to_specs(kind, label, str(value), specs)
    return specs, meta


_SEGMENT_SPLIT = re.compile(r"[;\n|•]+|\.\s+(?=[A-ZÀ-Ý])|,\s+(?=[A-Za-zÀ-ÿ ()]{2,40}:)")
_LABEL_VALUE_RE = re.compile(r"^\s*(?P<label>[A-Za-zÀ-ÿ()./ º°-]{2,60}?)\s*[:=]\s*(?P<value>.{1,80})$")


def text_to_specs(kind: str, text: str) -> dict[str, Any]:
    """Specs from free text: "Label: value" pairs and the phrases distributors write."""
    specs: dict[str, Any] = {}
    for segment in _SEGMENT_SPLIT.split(text or ""):
        match = _LABEL_VALUE_RE.match(segment.strip().rstrip("."))
        if match:
            label_value_to_specs(kind, match.group("label"), match.group("value"), specs)
    for field, value in title_to_specs(kind, text).items():
        specs.setdefault(field, value)
    folded = u.text_fold(text or "")
    if kind == K.MODULE:
        match = re.search(r"eficiencia (?:de |do modulo de |maxima de )?(\d+[.,]?\d*)\s*%", folded)
        if match:
            specs.setdefault("efficiency_pct", u.number_clean(u.decimal_parse(match.group(1))))
    if kind in INVERTER_KINDS:
        match = re.search(r"eficiencia (?:maxima |europeia )?(?:de )?(\d+[.,]?\d*)\s*%", folded)
        if match:
            specs.setdefault("efficiency_pct", u.number_clean(u.decimal_parse(match.group(1))))
    if kind == K.BATTERY:
        match = re.search(r"(\d+(?:[.,]\d+)*)\s*ciclos", folded)
        if match:
            specs.setdefault("cycles", u.integer_parse(match.group(1)))
    return specs


def title_to_specs(kind: str, title: str) -> dict[str, Any]:
    """Specs the title states: power, energy, phases, voltage, cell technology, counts."""
    specs: dict[str, Any] = {}
    folded = u.text_fold(title or "")
    found = u.quantities(title or "")
    watts = [q.value for q in found if q.unit == "w"]
    volts = [q.value for q in found if q.unit == "v"]
    if kind == K.MODULE:
        plausible = [w for w in watts if 5 <= w <= 1000]
        if plausible:
            specs["power_w"] = u.number_clean(plausible[0])
        cell = v.cell_type_parse(title)
        if cell:
            specs["cell_type"] = cell
        if re.search(r"half[- ]?cell|meia[- ]celula|\bhc\b", folded):
            specs["half_cell"] = True
        if "bifacial" in folded:
            specs["bifacial"] = True
        elif "monofacial" in folded:
            specs["bifacial"] = False
        efficiency = [q.value for q in found if q.unit == "%" and 10 <= q.value <= 30]
        if efficiency:
            specs["efficiency_pct"] = u.number_clean(efficiency[0])
        cells = re.search(r"\b(\d{2,3})\s*celulas\b", folded)
        if cells:
            specs["cells"] = int(cells.group(1))
    elif kind in INVERTER_KINDS:
        if watts:
            specs["ac_power_w"] = u.number_clean(watts[0])
        phases = v.phases_parse(title)
        if phases:
            specs["phases"] = phases
        voltage = v.grid_voltage_parse(title)
        if voltage:
            specs["grid_voltage_v"] = voltage
        mppt = re.search(r"(\d+)\s*mppts?\b", folded)
        if mppt:
            specs["mppt_count"] = int(mppt.group(1))
        if kind == K.MICROINVERTER:
            specs["inverter_type"] = "micro"
            per_unit = re.search(r"(\d)\s*(?:modulos|paineis|placas|entradas)\b", folded)
            if per_unit:
                specs["modules_per_unit"] = int(per_unit.group(1))
        elif re.search(r"hibrid", folded):
            specs["inverter_type"] = "hybrid"
        elif re.search(r"off[- ]?grid|isolad", folded):
            specs["inverter_type"] = "off-grid"
        if re.search(r"\bhv\b|alta tensao", folded) and specs.get("inverter_type") == "hybrid":
            specs["battery_voltage"] = "high"
        elif re.search(r"\blv\b|baixa tensao|48\s*v", folded) and specs.get("inverter_type") == "hybrid":
            specs["battery_voltage"] = "low"
    elif kind == K.BATTERY:
        wh = u.energy_wh_parse(title or "")
        if wh:
            specs["capacity_kwh"] = u.number_clean(wh / 1000)
        if volts:
            specs["nominal_voltage_v"] = u.number_clean(volts[0])
        chemistry = v.chemistry_parse(title)
        if chemistry:
            specs["chemistry"] = chemistry
    elif kind == K.CABLE:
        section = u.section_mm2_parse(title or "")
        if section and section <= 300:
            specs["section_mm2"] = u.number_clean(section)
        length = u.quantity_first(title or "", "m")
        if length:
            specs["length_m"] = u.number_clean(length)
        color = v.color_parse(title)
        if color:
            specs["color"] = color
        rating = [v for v in volts if v >= 100]
        if rating:
            specs["voltage_rating_v"] = u.number_clean(rating[0])
    elif kind == K.STRUCTURE:
        roof = v.roof_type_parse(title)
        if roof:
            specs["roof_type"] = roof
        count = re.search(r"(\d{1,3})\s*(?:modulos|paineis|placas)\b", folded)
        if count:
            specs["modules_supported"] = int(count.group(1))
        material = v.material(title, "") if re.search(r"alumin|inox|galvaniz", folded) else None
        if material:
            specs["material"] = material
    elif kind == K.STRING_BOX:
        io = re.search(r"(\d+)\s*e\s*/\s*(\d+)\s*s\b|(\d+)\s*entradas?\D{0,5}(\d+)\s*saidas?", folded)
        if io:
            inputs, outputs = (io.group(1), io.group(2)) if io.group(1) else (io.group(3), io.group(4))
            specs["inputs"], specs["outputs"] = int(inputs), int(outputs)
        rating = [v for v in volts if v >= 50]
        if rating:
            specs["max_voltage_v"] = u.number_clean(rating[0])
    elif kind == K.KIT:
        kwp = [w for w in watts if w >= 500]
        if kwp:
            specs["power_kwp"] = u.number_clean(kwp[0] / 1000)
        count = re.search(r"(\d{1,4})\s*(?:x\s*)?(?:modulos|paineis|placas)\b", folded)
        if count:
            specs["module_count"] = int(count.group(1))
        phases = v.phases_parse(title) if re.search(r"fasic|\btri\b", folded) else None
        if phases:
            specs["phases"] = phases
        roof = v.roof_type_parse(title)
        if roof:
            specs["roof_type"] = roof
    return specs

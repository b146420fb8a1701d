"""Value parsers of the spec rules: one function per kind of value, ``(value text, folded label)
→ spec value or None``. Used by ``catalog.pipeline.spec_rules``."""

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from catalog.pipeline import units as u


def quantity_in(unit: str, *, key_scale: dict[str, Decimal] | None = None) -> Callable[[str, str], Any]:
    """A quantity in ``unit``; a bare number is read in the label's unit ("Potência (kW)": "5")."""

    def parse(value: str, label: str) -> Any:
        q = u.quantity_first(value, unit)
        if q is None:
            leading = re.match(u.NUMBER, value.strip())
            bare = u.decimal_parse(leading.group(0)) if leading else None
            if bare is None:
                return None
            scale = Decimal(1)
            for hint, factor in (key_scale or {}).items():
                if re.search(rf"\b{hint}\b", label):
                    scale = factor
            q = bare * scale
        return u.number_clean(q)

    return parse


watts = quantity_in("w", key_scale={"kw": Decimal(1000), "kwp": Decimal(1000)})
volts = quantity_in("v", key_scale={"kv": Decimal(1000)})
amps = quantity_in("a")
kilograms = quantity_in("kg")
square_mm = quantity_in("mm2")
metres = quantity_in("m")


def percent(value: str, label: str) -> Any:
    q = u.percent_parse(value)
    return u.number_clean(q) if q is not None else None


def temp_coefficient(value: str, label: str) -> Any:
    match = re.search(r"([-−–]?)\s*(\d+[.,]\d+|\d+)", value)
    if not match:
        return None
    number = u.decimal_parse(match.group(2))
    if number is None:
        return None
    return u.number_clean(-number if match.group(1) else number, 4)


def integer(value: str, label: str) -> int | None:
    return u.integer_parse(value)


def kwh(value: str, label: str) -> Any:
    wh = u.energy_wh_parse(value)
    if wh is None and u.quantities(value):
        return None  # a quantity in another unit ("Potência de descarga: 2,5 kW")
    if wh is None:
        bare = u.decimal_parse(value.strip().split()[0]) if value.strip() else None
        if bare is None or "ah" in label:
            return None
        wh = bare * (Decimal(1000) if "kwh" in label or bare < 500 else Decimal(1))
    return u.number_clean(wh / 1000)


def kwp(value: str, label: str) -> Any:
    w = u.power_w_parse(value)
    if w is None:
        bare = u.decimal_parse(value.strip().split()[0]) if value.strip() else None
        if bare is None:
            return None
        w = bare * 1000 if bare < 1000 else bare
    return u.number_clean(w / 1000)


def cell_type_parse(text: str) -> str | None:
    t = u.text_fold(text)
    for needle, value in (
        ("topcon", "topcon"),
        ("heterojun", "hjt"),
        ("hjt", "hjt"),
        ("ibc", "ibc"),
        ("n-type", "n-type"),
        ("tipo n", "n-type"),
        ("n type", "n-type"),
        ("perc", "perc"),
        ("monocrist", "mono"),
        ("mono", "mono"),
        ("policrist", "poly"),
        ("poli", "poly"),
        ("poly", "poly"),
        ("filme fino", "thin-film"),
    ):
        if re.search(rf"(?<![a-z]){re.escape(needle)}", t):
            return value
    return None


def cell_type(value: str, label: str) -> str | None:
    return cell_type_parse(value)


def yes_no(value: str, label: str) -> bool | None:
    t = u.text_fold(value).strip()
    if t in {"sim", "s", "yes", "true", "1", "bifacial", "x"}:
        return True
    if t in {"nao", "n", "no", "false", "0", "monofacial"}:
        return False
    return None


def phases_parse(text: str) -> int | None:
    t = u.text_fold(text)
    if re.search(r"trifasic|\btri\b|3\s*fases|\b3f\b|\b3ph\b", t):
        return 3
    if re.search(r"bifasic|\bbi\b|2\s*fases|\b2f\b", t):
        return 2
    if re.search(r"monofasic|\bmono\b|1\s*fase|\b1f\b|\b1ph\b", t):
        return 1
    bare = t.strip()
    return int(bare) if bare in {"1", "2", "3"} else None


def phases(value: str, label: str) -> int | None:
    return phases_parse(value)


def grid_voltage_parse(text: str) -> int | None:
    values = [int(q.value) for q in u.quantities(text) if q.unit == "v" and 100 <= q.value <= 800]
    pair = re.search(r"\b(127|220|230|240)\s*/\s*(220|380|400)\s*v", u.text_fold(text))
    if pair:
        return int(pair.group(1))
    return values[0] if values else None


def grid_voltage(value: str, label: str) -> int | None:
    return grid_voltage_parse(value)


def mppt_window(value: str, label: str) -> tuple | None:
    window = u.range_parse(value)
    if window is None:
        return None
    return u.number_clean(window[0]), u.number_clean(window[1])


def chemistry_parse(text: str) -> str | None:
    t = u.text_fold(text)
    if re.search(r"lifepo|\blfp\b|ferro[- ]?fosfato|fosfato de ferro", t):
        return "lfp"
    if re.search(r"\bnmc\b|niquel[- ]manganes", t):
        return "nmc"
    if re.search(r"\bagm\b", t):
        return "agm"
    if re.search(r"\bgel\b", t):
        return "gel"
    if re.search(r"chumbo|lead[- ]acid|\bvrla\b", t):
        return "lead-acid"
    return None


def chemistry(value: str, label: str) -> str | None:
    return chemistry_parse(value)


def roof_type_parse(text: str) -> str | None:
    t = u.text_fold(text)
    for needle, value in (
        (r"ceramic|colonial|francesa|romana|portuguesa", "ceramico"),
        (r"fibrocimento|eternit|ondulad", "fibrocimento"),
        (r"metalic|trapezoidal|zinco|sanduiche|termoacustic", "metalico"),
        (r"\blaje\b", "laje"),
        (r"\bsolo\b|ground", "solo"),
        (r"shingle", "shingle"),
        (r"carport|garagem", "carport"),
    ):
        if re.search(needle, t):
            return value
    return None


def roof(value: str, label: str) -> str | None:
    return roof_type_parse(value) or (value.strip().lower()[:40] or None)


def color_parse(text: str) -> str | None:
    t = u.text_fold(text)
    for color in ("preto", "vermelho", "azul", "verde", "amarelo", "branco", "cinza"):
        if re.search(rf"\b{color}\b", t):
            return color
    return None


def color(value: str, label: str) -> str | None:
    return color_parse(value)


def material(value: str, label: str) -> str | None:
    t = u.text_fold(value)
    if "alumin" in t:
        return "aluminio"
    if "inox" in t:
        return "aco inox"
    if "galvaniz" in t or "aco" in t:
        return "aco galvanizado"
    return t.strip()[:40] or None

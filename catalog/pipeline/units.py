"""Numbers and physical quantities as Brazilian distributors write them.

"550W", "550 Wp", "0,55 kWp", "5 kW", "5.000 W", "5,12 kWh", "100Ah 48V", "4mm²", "21,3%",
"R$ 1.234,56". Everything comes back as ``Decimal`` in base units (W, Wh, V, A, mm, mm², kg, %)
so the later stages never guess a unit again.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# A number with optional thousands separators and a decimal part, in either convention.
NUMBER = r"\d+(?:[.,]\d+)*"

# Canonical unit → (base unit, factor). Keys are lower case; the regex below is case-insensitive.
_UNITS: dict[str, tuple[str, Decimal]] = {
    "mwp": ("w", Decimal(1_000_000)),
    "mw": ("w", Decimal(1_000_000)),
    "kwp": ("w", Decimal(1000)),
    "kw": ("w", Decimal(1000)),
    "wp": ("w", Decimal(1)),
    "w": ("w", Decimal(1)),
    "mwh": ("wh", Decimal(1_000_000)),
    "kwh": ("wh", Decimal(1000)),
    "wh": ("wh", Decimal(1)),
    "kva": ("va", Decimal(1000)),
    "va": ("va", Decimal(1)),
    "mah": ("ah", Decimal("0.001")),
    "ah": ("ah", Decimal(1)),
    "kv": ("v", Decimal(1000)),
    "vcc": ("v", Decimal(1)),
    "vdc": ("v", Decimal(1)),
    "vca": ("v", Decimal(1)),
    "vac": ("v", Decimal(1)),
    "v": ("v", Decimal(1)),
    "ma": ("a", Decimal("0.001")),
    "a": ("a", Decimal(1)),
    "mm²": ("mm2", Decimal(1)),
    "mm2": ("mm2", Decimal(1)),
    "mm": ("mm", Decimal(1)),
    "cm": ("mm", Decimal(10)),
    "m": ("m", Decimal(1)),
    "metros": ("m", Decimal(1)),
    "metro": ("m", Decimal(1)),
    "kg": ("kg", Decimal(1)),
    "g": ("kg", Decimal("0.001")),
    "%": ("%", Decimal(1)),
    "anos": ("years", Decimal(1)),
    "ano": ("years", Decimal(1)),
}

# Longest units first so "kWh" is not read as "kW" + "h".
_UNIT_ALTERNATION = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
QUANTITY_RE = re.compile(
    rf"(?<![\w.,-])(?P<num>{NUMBER})(?P<space>\s?)(?P<unit>{_UNIT_ALTERNATION})(?![\w²])",
    re.IGNORECASE,
)
_THOUSANDS_DOT = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[1-9]\d{0,2}(?:,\d{3}){2,}$")


@dataclass(frozen=True)
class Quantity:
    value: Decimal  # in the base unit
    unit: str  # base unit: w, wh, va, ah, v, a, mm, mm2, m, kg, %, years
    start: int = 0
    end: int = 0


def decimal_parse(text: str | int | float | Decimal | None) -> Decimal | None:
    """A number written the Brazilian way ("1.234,56", "0,55", "5.000") or the English way
    ("1,234.56", "0.55"). A lone dot followed by exactly three digits groups thousands, as
    Brazilians write "5.000 W"; anything else with one separator is a decimal."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int | float):
        return Decimal(str(text))
    s = str(text).strip().replace("\xa0", "").replace(" ", "")
    s = re.sub(r"^(?:R\$|BRL)", "", s, flags=re.IGNORECASE).strip()
    negative = s.startswith("-")
    s = s.lstrip("+-")
    match = re.match(NUMBER, s)
    if not match or match.end() != len(s):
        return None
    if "," in s and "." in s:
        # The right-most separator is the decimal one.
        comma_last = s.rfind(",") > s.rfind(".")
        s = s.replace(".", "").replace(",", ".") if comma_last else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", "") if _THOUSANDS_COMMA.match(s) else s.replace(",", ".")
        if s.count(".") > 1:
            return None
    elif "." in s:
        if _THOUSANDS_DOT.match(s):
            s = s.replace(".", "")
        elif s.count(".") > 1:
            return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return -value if negative else value


def price_parse(text: str | Decimal | None) -> Decimal | None:
    """A BRL amount, rounded to centavos. "R$ 1.234,56" → Decimal("1234.56")."""
    value = decimal_parse(text)
    if value is None:
        return None
    return value.quantize(Decimal("0.01"))


def quantities(text: str) -> list[Quantity]:
    """Every number-with-unit in ``text``, converted to base units, in reading order."""
    found = []
    for match in QUANTITY_RE.finditer(text or ""):
        if match.group("unit") == "a" and match.group("space"):
            continue  # "de 40 a 560 V": the Portuguese preposition, not amperes
        number = decimal_parse(match.group("num"))
        if number is None:
            continue
        base, factor = _UNITS[match.group("unit").lower()]
        found.append(Quantity(value=number * factor, unit=base, start=match.start(), end=match.end()))
    return found


def quantity_first(text: str, unit: str) -> Decimal | None:
    """The first quantity of base ``unit`` in ``text``."""
    for q in quantities(text):
        if q.unit == unit:
            return q.value
    return None


def power_w_parse(text: str) -> Decimal | None:
    """ "550W", "550 Wp", "0,55 kWp", "5 kW", "5.000 W" → watts."""
    return quantity_first(text, "w")


def energy_wh_parse(text: str) -> Decimal | None:
    """ "5,12 kWh" → 5120; "100Ah 48V" → 4800 (charge × nominal voltage)."""
    direct = quantity_first(text, "wh")
    if direct is not None:
        return direct
    charge = quantity_first(text, "ah")
    voltage = quantity_first(text, "v")
    if charge is not None and voltage is not None:
        return charge * voltage
    return None


def voltage_v_parse(text: str) -> Decimal | None:
    return quantity_first(text, "v")


def current_a_parse(text: str) -> Decimal | None:
    return quantity_first(text, "a")


def section_mm2_parse(text: str) -> Decimal | None:
    """ "4mm²", "6 mm2", "Cabo 10mm" (a cable's gauge is written in plain mm) → mm²."""
    value = quantity_first(text, "mm2")
    if value is None:
        value = quantity_first(text, "mm")
    return value


def percent_parse(text: str) -> Decimal | None:
    value = quantity_first(text, "%")
    if value is None:
        value = decimal_parse(text)
    return value


def weight_kg_parse(text: str) -> Decimal | None:
    value = quantity_first(text, "kg")
    if value is None:
        value = decimal_parse(text)
    return value


_DIMENSIONS_RE = re.compile(
    rf"(?P<a>{NUMBER})\s*(?:mm)?\s*[x×X*]\s*(?P<b>{NUMBER})\s*(?:mm)?"
    rf"(?:\s*[x×X*]\s*(?P<c>{NUMBER}))?\s*(?P<unit>mm|cm|m)?",
)


def dimensions_mm_parse(text: str) -> tuple[Decimal, Decimal, Decimal | None] | None:
    """ "2278 x 1134 x 35 mm" → (2278, 1134, 35), sorted length ≥ width, thickness last.
    Metres and centimetres are converted ("2,278 x 1,134 x 0,035 m")."""
    match = _DIMENSIONS_RE.search(text or "")
    if not match:
        return None
    factor = {"m": Decimal(1000), "cm": Decimal(10)}.get((match.group("unit") or "").lower(), Decimal(1))
    values = [decimal_parse(match.group(k)) for k in ("a", "b", "c")]
    if values[0] is None or values[1] is None:
        return None
    a, b = values[0] * factor, values[1] * factor
    c = values[2] * factor if values[2] is not None else None
    length, width = (a, b) if a >= b else (b, a)
    if c is not None and c > width:
        # Some sheets put the thickness first; the thinnest side is always the thickness.
        length, width, c = sorted((a, b, c), reverse=True)
    return length, width, c


def range_parse(text: str) -> tuple[Decimal, Decimal] | None:
    """ "80 - 550V", "90~520 V", "de 40 a 560 V", "160V-950V" → (low, high)."""
    match = re.search(
        rf"(?P<lo>{NUMBER})\s*(?:v|vcc|vdc)?\s*(?:-|–|~|a|até|to)\s*(?P<hi>{NUMBER})",
        text or "",
        re.IGNORECASE,
    )
    if not match:
        return None
    lo, hi = decimal_parse(match.group("lo")), decimal_parse(match.group("hi"))
    if lo is None or hi is None:
        return None
    return (lo, hi) if lo <= hi else (hi, lo)


def integer_parse(text: str | int | None) -> int | None:
    """The first integer in ``text`` ("2 MPPTs" → 2, "6.000 ciclos" → 6000)."""
    if text is None:
        return None
    if isinstance(text, int):
        return text
    match = re.search(NUMBER, str(text))
    if not match:
        return None
    value = decimal_parse(match.group(0))
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


@lru_cache(maxsize=65536)
def text_fold(text: str) -> str:
    """Lower case without accents, for keyword matching ("Monofásico" → "monofasico")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def number_clean(value: Decimal, places: int = 3) -> float | int:
    """A Decimal as the plain JSON number stored in specs (5000 rather than 5000.000)."""
    quantized = value.quantize(Decimal(1).scaleb(-places)).normalize()
    if quantized == quantized.to_integral_value():
        return int(quantized)
    return float(quantized)

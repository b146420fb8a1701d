"""Reading numbers the way Brazilian feeds write them: "2.349,90", "R$ 1.234,56", "2349.90 BRL",
"1.200 un.". Only what adapters need to fill ``ListingData`` (price, stock, days); units in
titles and attributes are the normalizer's job and stay as text here."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from catalog.pipeline.adapters.base import ListingParseError

CENT = Decimal("0.01")
ON_REQUEST = ("sob consulta", "consulte", "a consultar", "sob orçamento", "sob orcamento")
_NUMBER = re.compile(r"^[+-]?\d[\d.,]*$")


def br_decimal(text: str) -> Decimal:
    """ "2.349,90" → 2349.90; "2349,9" → 2349.9; "2349.90" → 2349.90; "2.349" → 2349;
    "1,234.56" → 1234.56. Raises ValueError."""
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(value):
        raise ValueError(f"not a number: {text!r}")
    sign = "-" if value.startswith("-") else ""
    value = value.lstrip("+-")
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        value = value.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in value:
        value = value.replace(",", ".") if value.count(",") == 1 else value.replace(",", "")
    elif value.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", value):
        value = value.replace(".", "")  # "1.234.567" or "2.349": thousands separators
    try:
        return Decimal(sign + value)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc


def brl_price(value: object, *, field: str = "price") -> Decimal | None:
    """A price as written → Decimal with cents; None when absent or "sob consulta".
    Anything else that is not a number raises ``ListingParseError``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ListingParseError(f"{field} is not a number: {value!r}", field=field)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip()
        lowered = text.lower()
        if not text or any(phrase in lowered for phrase in ON_REQUEST):
            return None
        text = re.sub(r"(?i)^r\$\s*|\s*brl$|^brl\s*", "", text.replace("\u00a0", " ").strip())
        text = text.replace("R$", "").strip()
        try:
            number = br_decimal(text)
        except ValueError:
            raise ListingParseError(f"{field} is not a number: {value!r}", field=field) from None
    else:
        raise ListingParseError(f"{field} is not a number: {value!r}", field=field)
    if not number.is_finite():
        raise ListingParseError(f"{field} is not a number: {value!r}", field=field)
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def whole_number(value: object, *, field: str) -> int | None:
    """Stock and days: 120, "120", "1.200 un.", "" → None. Garbage raises ``ListingParseError``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ListingParseError(f"{field} is not a whole number: {value!r}", field=field)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise ListingParseError(f"{field} is not a whole number: {value!r}", field=field)
        return int(value)
    if not isinstance(value, str):
        raise ListingParseError(f"{field} is not a whole number: {value!r}", field=field)
    match = re.match(r"^\s*([+-]?\d[\d.]*)\s*(?:un\.?|unidades?|pc|pç|dias?(?: úteis)?)?\s*$", value, re.I)
    if not value.strip() or value.strip() in ("-", "—"):
        return None
    if not match:
        raise ListingParseError(f"{field} is not a whole number: {value!r}", field=field)
    return int(match.group(1).replace(".", ""))

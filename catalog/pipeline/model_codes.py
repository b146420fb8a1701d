"""Manufacturer model codes: finding them in what distributors write, and the normalized key that
lets "JAM72S30 550" and "JAM72S30-550/MR" meet.

The key is what exact deduplication compares (with brand and kind), so its rules decide which
listings are "the same product": upper case, letters and digits only; for PV modules the nominal
power always ends the key and the variant letters distributors add after it (``/MR``, ``MS``,
``-M``, ``BP``) are dropped, because a manufacturer's series + power identifies the module that
integrators buy. Inverter suffixes are kept (``MIN 5000TL-X`` and ``-XH`` are different
machines); the fuzzy stage of ``catalog.pipeline.dedup`` deals with the near misses.
"""

import re
from decimal import Decimal

from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline.units import QUANTITY_RE, text_fold

_TOKEN_STRIP = "()[]{},;:'\"|"
_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/.+_]*[A-Za-z0-9+]")
_NOT_CODES = re.compile(
    r"^(\d+e/\d+s|\d+x\d+.*|\d+[.,]?\d*(?:kwp|kwh|kw|wp|w|v|vcc|vdc|a|ah|mm2|mm²|mm|m|kg|%)|"
    r"ip\d\d|iec\d*|nbr\d*|mc4?|wifi|wi-fi|4g|lte|rs485|\d+pcs|\d+un|\d+x)$",
    re.IGNORECASE,
)


def _fold_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text_fold(text))


def _tokens(text: str) -> list[str]:
    return [t.strip(_TOKEN_STRIP) for t in (text or "").split() if t.strip(_TOKEN_STRIP)]


def is_code(token: str) -> bool:
    if not _CODE_RE.fullmatch(token) or _NOT_CODES.match(token):
        return False
    if QUANTITY_RE.fullmatch(token):
        return False
    has_letter = any(c.isalpha() for c in token)
    has_digit = any(c.isdigit() for c in token)
    return has_letter and has_digit and len(token) >= 3


def model_code_extract(
    *,
    explicit: str,
    title: str,
    brand_words: set[str] = frozenset(),
    series: tuple[str, ...] = (),
    families: tuple[str, ...] = (),
    power_w: Decimal | None = None,
) -> str:
    """The manufacturer's model code: the distributor's model/MPN field when it has one, else the
    most code-like token of the title (letters and digits, hyphens; a series word written apart
    such as Growatt's "MIN" is joined to it). ``brand_words`` are folded brand spellings to skip.
    Returns "" when nothing looks like a code."""
    explicit = " ".join((explicit or "").split())
    if explicit and any(c.isalnum() for c in explicit):
        words = explicit.split()
        while len(words) > 1 and _fold_word(words[0]) in brand_words:
            words = words[1:]
        return _unglue_brand(" ".join(words), brand_words)[:120]

    series_folded = {_fold_word(s) for s in series}
    family_folded = {_fold_word(f) for f in families}
    tokens = _tokens(title)
    power_digits = str(int(power_w)) if power_w else ""
    best, best_score = "", -1.0
    for index, token in enumerate(tokens):
        folded = _fold_word(token)
        if folded in brand_words or folded in family_folded:
            continue
        previous = _fold_word(tokens[index - 1]) if index else ""
        if previous in series_folded and (is_code(token) or re.fullmatch(r"\d+[\d.,\-/]*\w*", token)):
            candidate = f"{tokens[index - 1]} {token}"
            score = 100.0 + len(candidate)
        elif is_code(token):
            candidate = token
            score = len(token) + (4 if re.search(r"[-/]", token) else 0)
            if power_digits and power_digits in token:
                score += 3
        else:
            continue
        if score > best_score:
            best, best_score = candidate, score
    return _unglue_brand(best, brand_words)[:120]


def _unglue_brand(code: str, brand_words: set[str]) -> str:
    """ "SOFAR4.6KTLM-G3" → "4.6KTLM-G3", "BYD535MLK-36" → "535MLK-36": a brand name glued to
    the code by the distributor is not part of the manufacturer's code."""
    for word in sorted((w for w in brand_words if len(w) >= 3 and not w.isdigit()), key=len, reverse=True):
        match = re.match(rf"^{re.escape(word)}[\s-]?(?=\d)", code, re.IGNORECASE)
        if match and len(code) - match.end() >= 3:
            return code[match.end() :]
    return code


def model_key(code: str, *, kind: str, power_w: Decimal | float | None = None) -> str:
    """The normalized model code compared by exact deduplication (see the module docstring)."""
    key = "".join(t for t in re.split(r"[^A-Z0-9]+", text_fold(code).upper()) if t)
    if kind == K.MODULE and power_w:
        power = Decimal(str(power_w))
        digits = str(int(power))
        # Variant letters glued right after the power ("550MS", "550/MR", "-550M") are dropped.
        trailing = re.match(r"^(.*?\d{3,4})[A-Z]{1,3}$", key)
        if trailing and _near(trailing.group(1), power):
            key = trailing.group(1)
        if digits not in key and not any(_near(n, power) for n in re.findall(r"\d{3,4}", key)):
            key = f"{key}{digits}"
    return key[:120]


def _near(digits: str, power: Decimal) -> bool:
    """A number in a code that is the module's power, allowing the rounding of a "0,39 kWp"."""
    tail = re.search(r"(\d{3,4})$", digits)
    return bool(tail) and abs(Decimal(tail.group(1)) - power) <= Decimal("0.03") * power


def code_power(code: str, power_w: Decimal | None) -> Decimal | None:
    """The exact Wp a module's code states when the listing wrote it rounded ("JAM60S20-385/MR"
    listed as "0,39 kWp" → 385)."""
    if not power_w:
        return None
    for number in re.findall(r"(?<!\d)(\d{3,4})(?!\d)", code or ""):
        value = Decimal(number)
        if value != power_w and abs(value - power_w) <= Decimal("0.03") * power_w:
            return value
    return None

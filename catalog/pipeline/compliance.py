"""INMETRO registration, ENCE class and warranty terms as distributors write them.

"Registro INMETRO 004521/2022, válido até 31/12/2027" → ("004521/2022", "2027-12-31");
"12 anos produto / 30 anos performance" → (12, 30); "ENCE: A" → "A".
"""

import calendar
import re
from datetime import date

from catalog.models.taxonomy import ProductKind as K
from catalog.pipeline.units import text_fold

_REGISTRATION_RE = re.compile(r"(?<![\d/])(\d{6})\s*/\s*((?:19|20)\d{2})(?![\d/])")
# Shorter numbers ("nº 4521/2022") count only right after the word INMETRO or "registro".
_REGISTRATION_NAMED_RE = re.compile(
    r"(?:inmetro|registro)[^0-9]{0,30}(?<![\d/])(\d{4,6})\s*/\s*((?:19|20)\d{2})(?![\d/])"
)
_VALIDITY_RE = re.compile(
    r"(?:valid\w*|vencimento|vence|expira\w*|vigencia|ate)\D{0,40}?"
    r"(?:(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})|(?P<m2>\d{1,2})/(?P<y2>\d{4})|"
    r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))"
)
_PERFORMANCE_WORDS = re.compile(r"performance|desempenho|potencia|linear|geracao|producao|eficiencia")
_PRODUCT_WORDS = re.compile(r"produto|fabricacao|defeito|material|equipamento|contra")


def inmetro_parse(text: str) -> tuple[str, str]:
    """(registration "NNNNNN/AAAA", valid-until ISO date or "")."""
    folded = text_fold(text or "")
    match = _REGISTRATION_NAMED_RE.search(folded) or _REGISTRATION_RE.search(folded)
    if not match:
        return "", ""
    registration = f"{match.group(1).zfill(6)}/{match.group(2)}"
    valid_until = ""
    validity = _VALIDITY_RE.search(folded)
    if validity:
        try:
            if validity.group("d"):
                day = date(int(validity.group("y")), int(validity.group("m")), int(validity.group("d")))
            elif validity.group("m2"):
                year, month = int(validity.group("y2")), int(validity.group("m2"))
                day = date(year, month, calendar.monthrange(year, month)[1])
            else:
                day = date(int(validity.group("iy")), int(validity.group("im")), int(validity.group("id")))
            valid_until = day.isoformat()
        except ValueError:
            valid_until = ""
    return registration, valid_until


def warranty_parse(text: str, *, kind: str = "") -> tuple[int | None, int | None]:
    """(product warranty years, performance warranty years)."""
    folded = text_fold(text or "")
    if not folded.strip():
        return None, None
    product: int | None = None
    performance: int | None = None
    pair = re.search(r"(\d{1,2})\s*/\s*(\d{1,2})\s*anos", folded)
    if pair and kind == K.MODULE:
        return int(pair.group(1)), int(pair.group(2))
    mentions: list[tuple[int, str]] = []
    for match in re.finditer(r"(\d{1,3})\s*(anos?|meses)\b", folded):
        years = int(match.group(1)) if match.group(2).startswith("ano") else int(match.group(1)) // 12
        if not 0 < years <= 40:
            continue
        # The words that belong to this number: up to the next number or separator on each side.
        after = re.split(r"[\d/;,.+|]", folded[match.end() : match.end() + 40], maxsplit=1)[0]
        before = re.split(r"[\d/;,.+|]", folded[max(0, match.start() - 40) : match.start()])[-1]
        context = before + " " + after
        if _PERFORMANCE_WORDS.search(after) or (
            _PERFORMANCE_WORDS.search(before) and not _PRODUCT_WORDS.search(after)
        ):
            mentions.append((years, "performance"))
        elif _PRODUCT_WORDS.search(context):
            mentions.append((years, "product"))
        else:
            mentions.append((years, ""))
    if not mentions and re.fullmatch(r"\s*\d{1,2}\s*", folded):
        return int(folded), None
    for years, label in mentions:
        if label == "performance" and performance is None:
            performance = years
        elif label == "product" and product is None:
            product = years
    for years, label in mentions:
        if label:
            continue
        if product is None:
            product = years
        elif performance is None and kind == K.MODULE and years > product:
            performance = years
    return product, performance


def ence_parse(text: str) -> str:
    folded = text_fold(text or "").strip()
    if re.fullmatch(r"[a-e]", folded):
        return folded.upper()
    match = re.search(r"\b(?:ence|classe)(?: de eficiencia(?: energetica)?)?\s*[:\-]?\s*\"?([a-e])\b", folded)
    return match.group(1).upper() if match else ""

"""What a search box query means: words to match, numeric intents and typo corrections.

"inversor fronius 5kw" → terms ``inversor``, ``fronius`` and a power intent of 5,000 W;
"bateria lítio 5 kwh" → ``bateria``, ``litio`` and an energy intent of 5,000 Wh; "fronios" →
the term ``fronios`` with the alternative ``fronius`` taken from the catalog's own vocabulary
(brand names, aliases, product-name words) with rapidfuzz.

Numbers with units become intents instead of words: "5 kW" is a number the product's power
column answers exactly, while as words ("5", "kw") it would match half the catalog.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from rapidfuzz import fuzz, process

from catalog.pipeline.units import quantities
from catalog.search.text import CELL_WORDS, CHEMISTRY_WORDS, INVERTER_TYPE_WORDS, KIND_WORDS, search_fold

# Words that never narrow a product search (Portuguese stop words as typed in search boxes).
STOP_WORDS = frozenset(
    {
        *("a", "o", "as", "os", "um", "uma", "e", "ou", "que", "ate", "mais", "menos", "melhor"),
        *("de", "da", "do", "das", "dos", "em", "no", "na", "nos", "nas", "para", "pra", "por"),
        *("com", "sem", "p", "c", "barato", "barata", "preco", "precos", "comprar"),
    }
)
MAX_TERMS = 12
VOCABULARY_CACHE_KEY = "catalog:search:vocabulary:v1"
VOCABULARY_TTL = 600  # seconds; new brands/families become typo targets within 10 minutes
_LOCAL_TTL = 60
_local_vocabulary: tuple[float, frozenset[str]] | None = None
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Term:
    """One query word and the spellings it may also stand for (typo fixes)."""

    text: str
    alternatives: tuple[str, ...] = ()
    #: The catalog's vocabulary knows the word (or its plural, or a word it begins): full-text
    #: matching finds it, so no trigram lookup for other spellings of it is needed.
    known: bool = False

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.text, *self.alternatives)


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    terms: tuple[Term, ...] = ()
    power_w: Decimal | None = None
    energy_wh: Decimal | None = None
    voltage_v: Decimal | None = None
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.has_intents

    @property
    def has_intents(self) -> bool:
        return any(v is not None for v in (self.power_w, self.energy_wh, self.voltage_v))

    def as_dict(self) -> dict:
        return {
            "terms": [term.text for term in self.terms],
            "corrections": dict(self.corrections),
            "power_w": float(self.power_w) if self.power_w is not None else None,
            "energy_wh": float(self.energy_wh) if self.energy_wh is not None else None,
            "voltage_v": float(self.voltage_v) if self.voltage_v is not None else None,
        }


def light_stem(word: str) -> str:
    """Portuguese plural → singular, enough for prefix matching ("inversores" → "inversor",
    "painéis" → "painel", "baterias" → "bateria"). PostgreSQL stems properly; SQLite uses this."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, replacement in (("oes", "ao"), ("aes", "ao"), ("eis", "el"), ("ais", "al"), ("res", "r"),
                                ("ns", "m"), ("es", "e"), ("s", "")):  # fmt: skip
        if word.endswith(suffix):
            return word[: -len(suffix)] + replacement
    return word


def _static_vocabulary() -> set[str]:
    words: set[str] = set()
    for source in (KIND_WORDS, CELL_WORDS, CHEMISTRY_WORDS, INVERTER_TYPE_WORDS):
        for value in source.values():
            words.update(search_fold(value).split())
    words.update(("monofasico", "bifasico", "trifasico", "bifacial", "monofacial", "kit", "gerador"))
    return {w for w in words if w.isalpha() and len(w) >= 3}


def vocabulary_build() -> frozenset[str]:
    """Every alphabetic word (3+ letters) of brand names, aliases, categories and product names."""
    from catalog.models import Brand, BrandAlias, Category, Product

    words = _static_vocabulary()
    sources = [
        Brand.objects.values_list("name", flat=True),
        BrandAlias.objects.values_list("alias", flat=True),
        Category.objects.values_list("name", flat=True),
        Product.objects.filter(is_active=True).values_list("name", flat=True).iterator(chunk_size=5000),
    ]
    for source in sources:
        for text in source:
            words.update(w for w in search_fold(text).split() if w.isalpha() and len(w) >= 3)
    return frozenset(words)


def vocabulary() -> frozenset[str]:
    """The typo-correction vocabulary: per process for a minute, shared through the cache for ten."""
    global _local_vocabulary
    now = time.monotonic()
    if _local_vocabulary is not None and now - _local_vocabulary[0] < _LOCAL_TTL:
        return _local_vocabulary[1]
    words = cache.get(VOCABULARY_CACHE_KEY)
    if words is None:
        words = vocabulary_build()
        cache.set(VOCABULARY_CACHE_KEY, words, VOCABULARY_TTL)
    _local_vocabulary = (now, words)
    return words


def vocabulary_forget() -> None:
    """Drop the cached vocabulary (after an import adds brands or product lines)."""
    vocabulary_forget_local()
    cache.delete(VOCABULARY_CACHE_KEY)


def vocabulary_forget_local() -> None:
    global _local_vocabulary
    _local_vocabulary = None


def _is_known(word: str, words: frozenset[str]) -> bool:
    # A known word that starts with the typed one is a prefix being typed, not a typo: the
    # lexical search matches prefixes already.
    return word in words or light_stem(word) in words or any(known.startswith(word) for known in words)


def _correction(word: str, words: frozenset[str]) -> str | None:
    """The vocabulary word an unknown ``word`` is probably a typo of."""
    if len(word) < 4 or not word.isalpha():
        return None
    match = process.extractOne(word, words, scorer=fuzz.ratio, score_cutoff=75)
    if match is None:
        return None
    return match[0]


def query_parse(raw: str, *, words: frozenset[str] | None = None) -> ParsedQuery:
    """Split ``raw`` into terms and numeric intents; add typo alternatives from ``words``."""
    raw = (raw or "").strip()[:200]
    power_w = energy_wh = voltage_v = None
    remaining = raw
    for quantity in reversed(quantities(raw)):
        if quantity.unit == "w" and power_w is None:
            power_w = quantity.value
        elif quantity.unit == "wh" and energy_wh is None:
            energy_wh = quantity.value
        elif quantity.unit == "v" and voltage_v is None:
            voltage_v = quantity.value
        else:
            continue
        remaining = remaining[: quantity.start] + " " + remaining[quantity.end :]
    terms: list[Term] = []
    corrections: dict[str, str] = {}
    seen: set[str] = set()
    for token in _TOKEN.findall(search_fold(remaining)):
        if token in STOP_WORDS or token in seen or (len(token) < 2 and not token.isdigit()):
            continue
        seen.add(token)
        alternatives: tuple[str, ...] = ()
        known = False
        if words is not None and token.isalpha():
            known = _is_known(token, words)
            fixed = None if known else _correction(token, words)
            if fixed and fixed != token:
                alternatives = (fixed,)
                corrections[token] = fixed
        terms.append(Term(text=token, alternatives=alternatives, known=known))
        if len(terms) >= MAX_TERMS:
            break
    return ParsedQuery(
        raw=raw,
        terms=tuple(terms),
        power_w=power_w,
        energy_wh=energy_wh,
        voltage_v=voltage_v,
        corrections=corrections,
    )

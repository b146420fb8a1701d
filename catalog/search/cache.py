"""Short-lived caching of catalog reads, invalidated by the index generation.

``products_index`` bumps the generation whenever it writes anything (after every import, every
admin edit through ``products_reindex_on_commit``, every deactivation), so a cached answer
never outlives a catalog change by more than the time the index task takes; the TTL bounds
everything else. Keys carry the active language, since answers hold translated labels.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils import translation

GENERATION_KEY = "catalog:search:generation"
DEFAULT_TTL = 60
# The generation is re-read from the shared cache at most this often per process: a hot list
# page then costs one cache round trip instead of three, for at most a second of staleness.
GENERATION_LOCAL_TTL = 1.0
_local_generation: tuple[float, int] | None = None

T = TypeVar("T")


def index_generation() -> int:
    global _local_generation
    now = time.monotonic()
    if _local_generation is not None and now - _local_generation[0] < GENERATION_LOCAL_TTL:
        return _local_generation[1]
    generation = cache.get(GENERATION_KEY, 0)
    _local_generation = (now, generation)
    return generation


def index_generation_bump() -> None:
    """Invalidate every cached catalog answer (the index changed)."""
    global _local_generation
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(GENERATION_KEY, 1, None)
    _local_generation = None


def _default(value: Any) -> Any:
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def cache_key(namespace: str, parts: dict[str, Any]) -> str:
    raw = json.dumps(
        {**parts, "generation": index_generation(), "language": translation.get_language()},
        sort_keys=True,
        default=_default,
    )
    return f"catalog:{namespace}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached(namespace: str, parts: dict[str, Any], compute: Callable[[], T], *, ttl: int = DEFAULT_TTL) -> T:
    """``compute()`` memoized under ``parts`` for ``ttl`` seconds in the shared cache.
    Exceptions are not cached."""
    key = cache_key(namespace, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, ttl)
    return value


_local_caches: list[LocalCache] = []


def local_caches_clear() -> None:
    """Forget every per-process memo of the catalog (the generation, local page caches, the
    typo vocabulary). Tests call it next to ``cache.clear()``, so no answer survives from one
    test into the next."""
    global _local_generation
    _local_generation = None
    for local in _local_caches:
        local.clear()
    from catalog.search.query import vocabulary_forget_local

    vocabulary_forget_local()


class LocalCache:
    """A small per-process memo in front of the shared cache, for the hottest read-only answers
    (rendered list and search pages). Entries live ``ttl`` seconds; keys carry the index
    generation (re-read every GENERATION_LOCAL_TTL), so an index change reaches every process
    within a second. Losing it loses nothing: the shared cache and the database stay the truth."""

    def __init__(self, *, ttl: float, maxsize: int):
        self.ttl = ttl
        self.maxsize = maxsize
        self._entries: dict[str, tuple[float, Any]] = {}
        _local_caches.append(self)

    def get(self, key: str) -> Any:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry[0] > self.ttl:
            self._entries.pop(key, None)
            return None
        return entry[1]

    def set(self, key: str, value: Any) -> None:
        if len(self._entries) >= self.maxsize:
            # Drop the oldest half: cheap, and hot keys come straight back.
            for stale in sorted(self._entries, key=lambda k: self._entries[k][0])[: self.maxsize // 2]:
                self._entries.pop(stale, None)
        self._entries[key] = (time.monotonic(), value)

    def clear(self) -> None:
        self._entries.clear()

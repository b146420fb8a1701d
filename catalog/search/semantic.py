"""Semantic product search: the query's embedding against the product vectors in Qdrant.

The collection is per embedder (``products_minilm_l6_384`` offline, ``products_openai_…_1536``
with OpenAI), so vectors of different models never meet. Filters travel as a Qdrant payload
filter built by ``ProductFilters.qdrant_filter``.

Answers are cached for a few minutes in the shared cache, keyed by the index generation that
``products_index`` bumps whenever it writes, so a re-index is visible at once. A storefront
repeats the same queries all day; the cache saves the query embedding (10–30 ms on the CPU)
and the Qdrant round trip (the embedding is most of an uncached search's cost). The query's
vector is kept beside the answer (same round trips), so the same words with other filters
are not embedded again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from qdrant_client import models as qm

from catalog.search.cache import cache_key, cached
from catalog.search.filters import ProductFilters
from ysh import embeddings, vectors

PRODUCTS = "products"
CACHE_TTL = 300


class SemanticUnavailable(Exception):
    """The vector index or the embedder could not answer; the caller falls back to lexical."""


@dataclass(frozen=True)
class SemanticHit:
    product_id: int
    score: float


def products_collection() -> str:
    """The products collection of the active embedder (without the deployment prefix)."""
    return embeddings.collection_for(PRODUCTS)


def _where(collection: str) -> dict[str, Any]:
    # Which index answered: a different Qdrant (or folder) behind the same cache is another index.
    return {
        "index": settings.QDRANT_URL or settings.QDRANT_PATH,
        "collection": vectors.collection_name(collection),
    }


def _cached(
    collection: str, parts: dict[str, Any], compute: Callable[[], list[SemanticHit]]
) -> list[SemanticHit]:
    hits = cached(
        "semantic",
        {**parts, **_where(collection)},
        lambda: [(hit.product_id, hit.score) for hit in compute()],
        ttl=CACHE_TTL,
    )
    return [SemanticHit(product_id=pid, score=score) for pid, score in hits]


def _query_points(query: Any, *, query_filter: qm.Filter | None, limit: int) -> list[SemanticHit]:
    try:
        hits = vectors.search(
            products_collection(), query, query_filter=query_filter, limit=limit, with_payload=False
        )
    except vectors.VectorIndexError as exc:
        raise SemanticUnavailable(f"vector index: {exc}") from exc
    return [SemanticHit(product_id=int(hit.id), score=float(hit.score)) for hit in hits]


def semantic_ranking(*, text: str, filters: ProductFilters, limit: int = 50) -> list[SemanticHit]:
    """Products nearest to ``text``, best first, within ``filters``."""
    if not text.strip():
        return []
    try:
        collection = products_collection()
        vector_key = embeddings.query_vector_key(text)
    except embeddings.EmbeddingError as exc:  # a misconfigured embedder
        raise SemanticUnavailable(f"embedder: {exc}") from exc
    parts = {"text": " ".join(text.lower().split()), "filters": filters.cache_parts(), "limit": limit}
    key = cache_key("semantic", {**parts, "kind": "query", **_where(collection)})
    # One round trip for the answer and, when it is missing, the query's vector: the same text
    # with other filters (a facet clicked) or from another process needs no new embedding.
    found = cache.get_many([key, vector_key])
    if key in found:
        return [SemanticHit(product_id=pid, score=score) for pid, score in found[key]]
    try:
        vector = embeddings.embed_query(text, shared=found.get(vector_key))
    except embeddings.EmbeddingError as exc:
        raise SemanticUnavailable(f"embedder: {exc}") from exc
    hits = _query_points(vector, query_filter=filters.qdrant_filter(), limit=limit)
    fresh = {key: [(hit.product_id, hit.score) for hit in hits]}
    if vector_key not in found:
        fresh[vector_key] = embeddings.query_vector_pack(vector)
    cache.set_many(fresh, CACHE_TTL)
    return hits


def neighbour_ranking(*, product_id: int, filters: ProductFilters, limit: int = 10) -> list[SemanticHit]:
    """Products nearest to ``product_id``'s own vector (it must be indexed), within ``filters``."""
    excluded = replace(filters, exclude_ids=(*filters.exclude_ids, product_id))

    def compute() -> list[SemanticHit]:
        # A product not indexed yet has no vector: nothing similar is known (an empty answer).
        return _query_points(product_id, query_filter=excluded.qdrant_filter(), limit=limit)

    parts = {"product": product_id, "filters": excluded.cache_parts(), "limit": limit}
    return _cached(products_collection(), {**parts, "kind": "neighbours"}, compute)


def payloads_set(payloads: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Replace the payload of already indexed points (prices and stock move, the text did not)."""
    vectors.payloads_set(products_collection(), payloads)

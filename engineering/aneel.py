"""The one client for ANEEL open data (CKAN at dadosabertos.aneel.gov.br): the tariffs dataset
"Tarifas de aplicação das distribuidoras de energia elétrica".

Two ways in, both returning ``TariffRecord``s parsed by the same code:

- ``datastore_search`` — the CKAN datastore API (JSON ``{"success": true, "result": {"records",
  "fields", "total", "_links": {"next"}}}``), paged by ``offset``/``limit``; every field comes as
  text (``"VlrTUSD": "432,44"``). ``filters`` is sent JSON-encoded; list values mean "any of".
- ``csv_download`` — the CSV resource (≈83 MB): ``;``-separated, every field quoted, UTF-8, CRLF,
  decimal comma (``",00"``; thousands points such as ``"1.361,78"`` are tolerated). It is streamed
  to a file under ``YSH_VAR_DIR/aneel/`` and parsed row by row, never loaded whole.

Every response is kept in ``AneelCache`` (key = SHA-256 of the request, 30-day TTL, hit counter):
a repeated request inside the TTL is answered from the database without touching the network.
Timeouts, retries with exponential backoff on network errors/5xx/429, and typed errors:
``AneelUnavailable`` (network, 5xx, 429 after retries), ``AneelRequestError`` (other 4xx or
``"success": false``), ``AneelFormatError`` (not the document we expect).

Configuration: ``ANEEL_CKAN_URL`` (default ``https://dadosabertos.aneel.gov.br``),
``ANEEL_TARIFFS_RESOURCE_ID`` (default ``fcf2906c-7c32-4b9b-a637-054e7a5234f4``), from Django
settings or the environment.
"""

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from engineering.aneel_format import (
    CSV_COLUMNS,
    AneelError,
    AneelFormatError,
    AneelRequestError,
    AneelUnavailable,
    TariffRecord,
    csv_file_records,
    csv_records,
    parse_decimal,
    record_from_row,
    records_from_text,
)
from engineering.conf import client_setting

logger = logging.getLogger(__name__)

__all__ = [
    "CSV_COLUMNS",
    "AneelClient",
    "AneelError",
    "AneelFormatError",
    "AneelRequestError",
    "AneelUnavailable",
    "DatastorePage",
    "TariffRecord",
    "aneel_cache_prune",
    "csv_file_records",
    "csv_records",
    "parse_decimal",
    "record_from_row",
    "records_from_text",
]

DEFAULT_CKAN_URL = "https://dadosabertos.aneel.gov.br"
DEFAULT_RESOURCE_ID = "fcf2906c-7c32-4b9b-a637-054e7a5234f4"
DEFAULT_DATASET_ID = "5a583f3e-1646-4f67-bf0f-69db4203e89e"
CACHE_TTL = timedelta(days=30)
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=10.0, pool=5.0)
USER_AGENT = "YSH-Engineering/1.0 (Yello Solar Hub; tariff refresh)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_PAGE_SIZE = 1000


@dataclass(frozen=True)
class DatastorePage:
    records: list[dict]
    fields: list[dict]
    total: int
    offset: int
    limit: int
    next_path: str | None
    from_cache: bool


def request_key(url: str, params: dict | None = None) -> str:
    """The cache key of a request: SHA-256 of the URL with its parameters sorted."""
    query = urlencode(sorted((params or {}).items()), doseq=True)
    return hashlib.sha256(f"{url}?{query}".encode()).hexdigest()


class AneelClient:
    """ANEEL CKAN client. ``base_url``/``resource_id`` default to the settings; ``backoff_s`` is the
    first retry delay (doubled each time). ``force_refresh=True`` skips cached answers (and stores the
    fresh ones): the weekly refresh uses it, since a 30-day cache would otherwise hide a week's news."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        resource_id: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        retries: int = 3,
        backoff_s: float = 1.0,
        cache_ttl: timedelta = CACHE_TTL,
        force_refresh: bool = False,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = (base_url or client_setting("ANEEL_CKAN_URL", DEFAULT_CKAN_URL)).rstrip("/")
        self.resource_id = resource_id or client_setting("ANEEL_TARIFFS_RESOURCE_ID", DEFAULT_RESOURCE_ID)
        self.dataset_id = client_setting("ANEEL_TARIFFS_DATASET_ID", DEFAULT_DATASET_ID)
        self.timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
        self.cache_ttl = cache_ttl
        self.force_refresh = force_refresh
        self._transport = transport

    # --- HTTP ---------------------------------------------------------------------------------
    def _client(self) -> httpx.Client:
        return httpx.Client(
            timeout=self.timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json, text/csv;q=0.9"},
            follow_redirects=True,
            transport=self._transport,
        )

    def _sleep_before_retry(self, attempt: int) -> None:
        if self.backoff_s > 0:
            time.sleep(self.backoff_s * (2 ** (attempt - 1)))

    def _get(self, url: str, params: dict | None) -> httpx.Response:
        last_error = ""
        status = None
        attempts = 0
        with self._client() as client:
            for attempt in range(1, self.retries + 2):
                attempts = attempt
                try:
                    response = client.get(url, params=params)
                except httpx.HTTPError as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                    status = None
                else:
                    status = response.status_code
                    if status < 400:
                        return response
                    if status not in RETRY_STATUSES:
                        raise AneelRequestError(
                            f"ANEEL answered HTTP {status}", url=url, status=status, attempts=attempt
                        )
                    last_error = f"HTTP {status}"
                if attempt <= self.retries:
                    logger.warning("ANEEL request failed (%s), retry %s: %s", last_error, attempt, url)
                    self._sleep_before_retry(attempt)
        raise AneelUnavailable(
            f"ANEEL unavailable after {attempts} attempt(s): {last_error}",
            url=url,
            status=status,
            attempts=attempts,
        )

    # --- cache --------------------------------------------------------------------------------
    def _cache_fresh(self, key: str):
        from engineering.models import AneelCache

        if self.force_refresh:
            return None
        now = timezone.now()
        entry = AneelCache.objects.filter(key=key, expires_at__gt=now).first()
        if entry is None:
            return None
        if entry.body_path and not Path(entry.body_path).exists():
            return None
        AneelCache.objects.filter(pk=entry.pk).update(hits=F("hits") + 1, last_hit_at=now)
        return entry

    def _cache_store(self, *, key: str, url: str, params: dict | None, **fields):
        from engineering.models import AneelCache

        now = timezone.now()
        entry, _ = AneelCache.objects.update_or_create(
            key=key,
            defaults={
                "url": url,
                "params": params or {},
                "fetched_at": now,
                "expires_at": now + self.cache_ttl,
                **fields,
            },
        )
        return entry

    def get_json(self, path: str, params: dict | None = None) -> tuple[dict, bool]:
        """GET ``base_url + path`` as JSON through the cache. Returns ``(document, from_cache)``."""
        url = urljoin(self.base_url + "/", path.lstrip("/"))
        key = request_key(url, params)
        entry = self._cache_fresh(key)
        if entry is not None:
            try:
                return json.loads(entry.body), True
            except ValueError:
                logger.warning("discarding unreadable ANEEL cache entry %s", key)
        response = self._get(url, params)
        try:
            document = response.json()
        except ValueError as exc:
            raise AneelFormatError("response is not JSON", url=url, status=response.status_code) from exc
        if not isinstance(document, dict):
            raise AneelFormatError("response is not a JSON object", url=url)
        if document.get("success") is False:
            error = document.get("error") or {}
            raise AneelRequestError(f"CKAN error: {error}", url=url, status=response.status_code)
        self._cache_store(
            key=key,
            url=url,
            params=params,
            status_code=response.status_code,
            content_type=response.headers.get("content-type", "")[:120],
            body=response.text,
            body_path="",
            size_bytes=len(response.content),
        )
        return document, False

    # --- datastore ----------------------------------------------------------------------------
    def datastore_search(
        self,
        *,
        filters: dict | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        offset: int = 0,
        sort: str | None = None,
    ) -> DatastorePage:
        """One page of ``datastore_search`` on the tariffs resource."""
        params: dict = {"resource_id": self.resource_id, "limit": int(limit), "offset": int(offset)}
        if filters:
            params["filters"] = json.dumps(filters, ensure_ascii=False, sort_keys=True)
        if sort:
            params["sort"] = sort
        return self._datastore_page("/api/3/action/datastore_search", params)

    def _datastore_page(self, path: str, params: dict) -> DatastorePage:
        document, from_cache = self.get_json(path, params)
        result = document.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("records"), list):
            raise AneelFormatError("datastore_search: no result.records", url=path)
        links = result.get("_links") or {}
        try:
            total = int(result.get("total") or 0)
        except (TypeError, ValueError) as exc:
            raise AneelFormatError("datastore_search: total is not a number", url=path) from exc
        return DatastorePage(
            records=result["records"],
            fields=result.get("fields") or [],
            total=total,
            offset=int(params.get("offset", 0)),
            limit=int(params.get("limit", DEFAULT_PAGE_SIZE)),
            next_path=links.get("next"),
            from_cache=from_cache,
        )

    def datastore_pages(
        self,
        *,
        filters: dict | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        sort: str | None = None,
        max_pages: int | None = None,
    ) -> Iterator[DatastorePage]:
        """Every page of a search, following ``_links.next`` until a short page or ``total``."""
        page = self.datastore_search(filters=filters, limit=page_size, offset=0, sort=sort)
        seen = len(page.records)
        count = 1
        yield page
        while page.records and seen < page.total and len(page.records) >= page.limit:
            if max_pages is not None and count >= max_pages:
                return
            if page.next_path:
                parts = urlsplit(page.next_path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                params.setdefault("resource_id", self.resource_id)
                params.setdefault("limit", str(page.limit))
                if int(params.get("offset", 0)) <= page.offset:
                    raise AneelFormatError("datastore_search: _links.next does not advance", url=parts.path)
                path = parts.path or "/api/3/action/datastore_search"
            else:
                path = "/api/3/action/datastore_search"
                params = {
                    "resource_id": self.resource_id,
                    "limit": page.limit,
                    "offset": page.offset + page.limit,
                }
                if filters:
                    params["filters"] = json.dumps(filters, ensure_ascii=False, sort_keys=True)
                if sort:
                    params["sort"] = sort
            page = self._datastore_page(path, params)
            seen += len(page.records)
            count += 1
            yield page

    def datastore_records(
        self, *, filters: dict | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[TariffRecord]:
        for page in self.datastore_pages(filters=filters, page_size=page_size):
            for row in page.records:
                yield record_from_row(row)

    # --- CSV resource -------------------------------------------------------------------------
    def csv_url(self) -> str:
        return (
            f"{self.base_url}/dataset/{self.dataset_id}/resource/{self.resource_id}/download/"
            "tarifas-homologadas-distribuidoras-energia-eletrica.csv"
        )

    def csv_download(self, *, url: str | None = None) -> tuple[Path, bool]:
        """Stream the CSV resource to ``YSH_VAR_DIR/aneel/<key>.csv`` (through the cache).
        Returns ``(path, from_cache)``."""
        url = url or self.csv_url()
        key = request_key(url)
        entry = self._cache_fresh(key)
        if entry is not None:
            return Path(entry.body_path), True
        folder = Path(settings.VAR_DIR) / "aneel"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{key}.csv"
        partial = folder / f"{key}.csv.part"
        size, status, content_type = self._stream_to(url, partial)
        with open(partial, encoding="utf-8", errors="replace", newline="") as handle:
            header = handle.readline()
        if not header.lstrip("\ufeff").startswith('"DatGeracaoConjuntoDados"') and not header.lstrip(
            "\ufeff"
        ).startswith("DatGeracaoConjuntoDados"):
            partial.unlink(missing_ok=True)
            raise AneelFormatError("CSV resource does not start with the published header", url=url)
        os.replace(partial, target)
        self._cache_store(
            key=key,
            url=url,
            params=None,
            status_code=status,
            content_type=content_type,
            body="",
            body_path=str(target),
            size_bytes=size,
        )
        return target, False

    def _stream_to(self, url: str, target: Path) -> tuple[int, int, str]:
        last_error = ""
        attempts = 0
        status = None
        with self._client() as client:
            for attempt in range(1, self.retries + 2):
                attempts = attempt
                try:
                    with client.stream("GET", url) as response:
                        status = response.status_code
                        if status >= 400:
                            if status not in RETRY_STATUSES:
                                raise AneelRequestError(
                                    f"ANEEL answered HTTP {status}", url=url, status=status, attempts=attempt
                                )
                            last_error = f"HTTP {status}"
                        else:
                            size = 0
                            with open(target, "wb") as out:
                                for chunk in response.iter_bytes(chunk_size=1 << 16):
                                    out.write(chunk)
                                    size += len(chunk)
                            return size, status, response.headers.get("content-type", "")[:120]
                except httpx.HTTPError as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                if attempt <= self.retries:
                    self._sleep_before_retry(attempt)
        target.unlink(missing_ok=True)
        raise AneelUnavailable(
            f"ANEEL CSV unavailable after {attempts} attempt(s): {last_error}",
            url=url,
            status=status,
            attempts=attempts,
        )

    def csv_records(self, *, url: str | None = None) -> Iterator[TariffRecord]:
        path, _ = self.csv_download(url=url)
        yield from csv_file_records(path)


def aneel_cache_prune() -> int:
    """Delete expired ``AneelCache`` entries and their files; returns how many were removed."""
    from engineering.models import AneelCache

    expired = AneelCache.objects.filter(expires_at__lte=timezone.now())
    removed = 0
    for entry in expired.only("pk", "body_path"):
        if entry.body_path:
            Path(entry.body_path).unlink(missing_ok=True)
        entry.delete()
        removed += 1
    return removed

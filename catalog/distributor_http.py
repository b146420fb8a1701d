"""The one client for distributors' systems (APIs, shops, price lists, product feeds).

Every request made to a distributor goes through ``DistributorClient.get``: default timeouts,
a descriptive User-Agent, a politeness delay between requests to the same distributor, retries
with exponential backoff and jitter for connection errors, 5xx and 429 (honouring
``Retry-After``), a cap on the response size, and conditional requests: the ETag/Last-Modified
of each URL and the body they validate are kept in Django's cache (per distributor and URL), so
a 304 comes back as ``FeedResponse(not_modified=True)`` carrying the cached body — the adapters
read it as usual and the pipeline sees the listings unchanged. One client may be shared by
threads (the HTML shop fetches product pages with a few workers): httpx's connection pool, the
politeness interval and the conditional cache are safe to use from several threads. Errors are
typed:
``DistributorAuthError`` (401/403), ``DistributorUnavailable`` (network, 5xx, 429 after the
retries), ``DistributorRequestError`` (other 4xx), ``FeedFormatError``/``FeedTooLarge``.
"""

import email.utils
import hashlib
import logging
import random
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import httpx
from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=10.0, pool=5.0)
DEFAULT_USER_AGENT = "YSH-CatalogBot/1.0 (Yello Solar Hub catalog sync; +https://yellosolarhub.com.br/bot)"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: How long the validators and the body of a fetched URL are kept for conditional requests.
CONDITIONAL_TTL_S = 30 * 24 * 3600
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class DistributorError(Exception):
    """Base of every error the client raises; carries the URL, HTTP status and attempts."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None, attempts: int = 0):
        super().__init__(message)
        self.url = url
        self.status = status
        self.attempts = attempts


class DistributorUnavailable(DistributorError):
    """The distributor could not be reached or kept failing (network, 5xx, 429) after retries."""


class DistributorAuthError(DistributorError):
    """The distributor refused our credentials (401/403): retrying will not help."""


class DistributorRequestError(DistributorError):
    """Any other 4xx: the URL or the request is wrong (404, 400…)."""


class FeedFormatError(DistributorError):
    """The response is not the document the adapter expects (wrong type, undecodable…)."""


class FeedTooLarge(FeedFormatError):
    """The response exceeds the size cap."""


class _HasSlug(Protocol):
    slug: str
    politeness_delay_ms: int


@dataclass(frozen=True)
class FeedResponse:
    url: str
    status_code: int
    content: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False  # a 304: ``content`` is the body cached with the validators

    @property
    def charset(self) -> str | None:
        for part in self.content_type.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip('"')
        return None

    def text(self, default_encoding: str = "utf-8") -> str:
        """The body as text, in the declared charset (or ``default_encoding``); undecodable bytes
        become U+FFFD so one bad byte never loses a whole feed."""
        encoding = self.charset or default_encoding
        try:
            return self.content.decode(encoding, errors="replace")
        except LookupError as exc:
            raise FeedFormatError(f"unknown charset {encoding!r}", url=self.url) from exc


# Last request time per distributor, shared by every client in the process.
_last_request_at: dict[str, float] = {}
_politeness_lock = threading.Lock()


class DistributorClient:
    """HTTP access to one distributor. Use as a context manager (``with DistributorClient(d) as
    client:``) or call ``close()``."""

    def __init__(
        self,
        distributor: _HasSlug,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_attempts: int = 4,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 10.0,
        max_retry_after_s: float = 60.0,
        max_bytes: int | None = None,
        politeness_delay_ms: int | None = None,
        user_agent: str | None = None,
    ):
        self.distributor = distributor
        self.max_attempts = max(1, max_attempts)
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.max_retry_after_s = max_retry_after_s
        self.max_bytes = max_bytes or getattr(settings, "CATALOG_FEED_MAX_BYTES", DEFAULT_MAX_BYTES)
        delay_ms = distributor.politeness_delay_ms if politeness_delay_ms is None else politeness_delay_ms
        self.politeness_delay_s = max(0, delay_ms or 0) / 1000
        self.requests_made = 0
        self._count_lock = threading.Lock()
        # One cache backend for every thread using this client (Django builds one per thread).
        self._cache = caches["default"]
        self._http = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=5,
            headers={
                "User-Agent": user_agent or getattr(settings, "CATALOG_FEED_USER_AGENT", DEFAULT_USER_AGENT),
                "Accept-Encoding": "gzip, deflate",
            },
        )

    def __enter__(self) -> "DistributorClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- public ------------------------------------------------------------------------
    def get(
        self,
        url: str,
        *,
        params: dict[str, str | int] | None = None,
        headers: dict[str, str] | None = None,
        conditional: bool = True,
    ) -> FeedResponse:
        target = httpx.URL(url, params=params) if params else httpx.URL(url)
        if target.scheme not in ("http", "https"):
            raise DistributorRequestError(f"unsupported URL scheme {target.scheme!r}", url=str(target))
        key = self._cache_key(str(target))
        cached = self._cache.get(key) if conditional else None
        request_headers = dict(headers or {})
        if cached:
            if cached.get("etag"):
                request_headers["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                request_headers["If-Modified-Since"] = cached["last_modified"]
        last_error = ""
        last_status: int | None = None
        for attempt in range(1, self.max_attempts + 1):
            self._wait_politely()
            retry_after: float | None = None
            try:
                with self._http.stream("GET", target, headers=request_headers) as response:
                    with self._count_lock:
                        self.requests_made += 1
                    status = response.status_code
                    if status == 304 and cached:
                        # A 304 has no body, but reading to its end is what lets httpx put the
                        # connection back in the pool: unread, it is closed and the next request
                        # pays a new TCP (and TLS) handshake.
                        response.read()
                        return self._from_cache(str(target), cached)
                    if status in (401, 403):
                        raise DistributorAuthError(
                            f"{self.distributor.slug} refused the credentials (HTTP {status})",
                            url=str(target), status=status, attempts=attempt,
                        )  # fmt: skip
                    if status in RETRY_STATUSES:
                        last_error, last_status = f"HTTP {status}", status
                        retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                    elif status >= 400 or status == 304:
                        raise DistributorRequestError(
                            f"{self.distributor.slug} answered HTTP {status} for {target}",
                            url=str(target), status=status, attempts=attempt,
                        )  # fmt: skip
                    else:
                        body = self._read_capped(response, str(target))
                        return self._remember(key, str(response.url), response, body, conditional)
            except httpx.TransportError as exc:
                last_error, last_status = f"{type(exc).__name__}: {exc}", None
            if attempt < self.max_attempts:
                pause = self._backoff(attempt, retry_after)
                logger.info(
                    "%s: %s on %s, retry %s in %.2fs",
                    self.distributor.slug,
                    last_error,
                    target,
                    attempt,
                    pause,
                )
                time.sleep(pause)
        raise DistributorUnavailable(
            f"{self.distributor.slug} unavailable after {self.max_attempts} attempts: {last_error}",
            url=str(target), status=last_status, attempts=self.max_attempts,
        )  # fmt: skip

    # --- internals ---------------------------------------------------------------------
    def _cache_key(self, url: str) -> str:
        digest = hashlib.sha256(url.encode()).hexdigest()[:40]
        return f"catalog:feed:v1:{self.distributor.slug}:{digest}"

    def _wait_politely(self) -> None:
        if not self.politeness_delay_s:
            return
        slug = self.distributor.slug
        with _politeness_lock:
            now = time.monotonic()
            wait = _last_request_at.get(slug, 0.0) + self.politeness_delay_s - now
            _last_request_at[slug] = now + max(0.0, wait)
        if wait > 0:
            time.sleep(wait)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_retry_after_s)
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not cryptography

    def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FeedTooLarge(f"response of {declared} bytes exceeds the {self.max_bytes} cap", url=url)
        chunks, size = [], 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FeedTooLarge(f"response exceeds the {self.max_bytes} bytes cap", url=url)
                chunks.append(chunk)
        except httpx.DecodingError as exc:
            raise FeedFormatError(f"undecodable response body: {exc}", url=url) from exc
        return b"".join(chunks)

    def _remember(self, key: str, url: str, response: httpx.Response, body: bytes, conditional: bool):
        etag = response.headers.get("ETag", "")
        last_modified = response.headers.get("Last-Modified", "")
        content_type = response.headers.get("Content-Type", "")
        if conditional and (etag or last_modified):
            self._cache.set(
                key,
                {
                    "etag": etag,
                    "last_modified": last_modified,
                    "content_type": content_type,
                    "url": url,
                    "body": zlib.compress(body, 6),
                },
                timeout=CONDITIONAL_TTL_S,
            )
        return FeedResponse(url, response.status_code, body, content_type, etag, last_modified)

    @staticmethod
    def _from_cache(url: str, cached: dict) -> FeedResponse:
        return FeedResponse(
            cached.get("url") or url,
            304,
            zlib.decompress(cached["body"]),
            cached.get("content_type", ""),
            cached.get("etag", ""),
            cached.get("last_modified", ""),
            not_modified=True,
        )


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

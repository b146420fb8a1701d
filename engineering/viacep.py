"""The one client for ViaCEP (``GET {VIACEP_URL}{cep}/json/``).

Answers: 200 with the address; 200 with ``{"erro": true}`` (or ``"true"``, seen in the wild) for a
well-formed CEP that does not exist; 400 for a malformed one (we never send those: the CEP is
validated first). Results are kept in Django's cache for 30 days. Typed errors: ``CepInvalid``,
``CepNotFound``, ``ViaCepUnavailable`` (network, 5xx, 429 after retries, or an unreadable answer).

Configuration: ``VIACEP_URL`` (default ``https://viacep.com.br/ws/``), Django settings or environment.
"""

import logging
import re
import time
from dataclasses import asdict, dataclass

import httpx
from django.core.cache import cache

from engineering.conf import client_setting

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://viacep.com.br/ws/"
DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=5.0, write=5.0, pool=3.0)
CACHE_TTL_S = 30 * 24 * 3600
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CEP_RE = re.compile(r"^\d{8}$")


class ViaCepError(Exception):
    pass


class CepInvalid(ViaCepError):
    """Not 8 digits (after removing ``-``, ``.`` and spaces)."""


class CepNotFound(ViaCepError):
    """Well-formed CEP that ViaCEP does not know (``{"erro": true}``)."""


class ViaCepUnavailable(ViaCepError):
    """ViaCEP could not be reached or kept failing."""


@dataclass(frozen=True)
class ViaCepAddress:
    cep: str
    street: str
    complement: str
    district: str
    city: str
    uf: str
    ibge: str
    ddd: str


def cep_normalize(cep: str | int | None) -> str:
    """``"01001-000"`` → ``"01001000"``; raises ``CepInvalid`` unless exactly 8 digits remain."""
    raw = re.sub(r"[\s.\-]", "", str(cep or ""))
    if not _CEP_RE.match(raw):
        raise CepInvalid(f"CEP must have 8 digits: {cep!r}")
    return raw


class ViaCepClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        retries: int = 2,
        backoff_s: float = 0.3,
        transport: httpx.BaseTransport | None = None,
    ):
        base = base_url or client_setting("VIACEP_URL", DEFAULT_URL)
        self.base_url = base if base.endswith("/") else base + "/"
        self.timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
        self._transport = transport

    def lookup(self, cep: str) -> ViaCepAddress:
        normalized = cep_normalize(cep)
        cache_key = f"viacep:{normalized}"
        cached = cache.get(cache_key)
        if isinstance(cached, dict):
            if cached.get("not_found"):
                raise CepNotFound(normalized)
            return ViaCepAddress(**cached)
        url = f"{self.base_url}{normalized}/json/"
        document = self._get_json(url)
        erro = document.get("erro")
        if erro is True or (isinstance(erro, str) and erro.strip().lower() == "true"):
            cache.set(cache_key, {"not_found": True}, 24 * 3600)
            raise CepNotFound(normalized)
        city = str(document.get("localidade") or "").strip()
        uf = str(document.get("uf") or "").strip().upper()
        if not city or len(uf) != 2:
            raise ViaCepUnavailable(f"ViaCEP answer without localidade/uf for {normalized}")
        address = ViaCepAddress(
            cep=normalized,
            street=str(document.get("logradouro") or ""),
            complement=str(document.get("complemento") or ""),
            district=str(document.get("bairro") or ""),
            city=city,
            uf=uf,
            ibge=str(document.get("ibge") or ""),
            ddd=str(document.get("ddd") or ""),
        )
        cache.set(cache_key, asdict(address), CACHE_TTL_S)
        return address

    def _get_json(self, url: str) -> dict:
        last_error = ""
        with httpx.Client(
            timeout=self.timeout,
            headers={"User-Agent": "YSH-Engineering/1.0 (Yello Solar Hub)", "Accept": "application/json"},
            transport=self._transport,
        ) as client:
            for attempt in range(1, self.retries + 2):
                try:
                    response = client.get(url)
                except httpx.HTTPError as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                else:
                    if response.status_code == 400:
                        raise CepInvalid(f"ViaCEP rejected the CEP format: {url}")
                    if response.status_code < 400:
                        try:
                            document = response.json()
                        except ValueError as exc:
                            raise ViaCepUnavailable("ViaCEP answer is not JSON") from exc
                        if not isinstance(document, dict):
                            raise ViaCepUnavailable("ViaCEP answer is not a JSON object")
                        return document
                    last_error = f"HTTP {response.status_code}"
                    if response.status_code not in RETRY_STATUSES:
                        break
                if attempt <= self.retries and self.backoff_s > 0:
                    time.sleep(self.backoff_s * attempt)
        logger.warning("ViaCEP unavailable: %s (%s)", last_error, url)
        raise ViaCepUnavailable(last_error or "ViaCEP unavailable")


def cep_lookup(cep: str, *, client: ViaCepClient | None = None) -> ViaCepAddress:
    return (client or ViaCepClient()).lookup(cep)

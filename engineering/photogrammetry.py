"""Roof analysis with a three-level cache in front of pluggable providers.

Lookup, first hit wins (expired entries never hit):

1. **address**: SHA-256 of the normalized address (lower case, no accents or punctuation, common
   abbreviations expanded, CEP digits only, whitespace collapsed);
2. **coordinates**: SHA-256 of ``"lat,lon"`` rounded to 5 decimals (~1.1 m);
3. **proximity**: the nearest analysis within ~11 m (a ±0.0001° box, then the haversine distance).

A hit increments ``times_reused`` (an UPDATE with F(), safe under concurrency) and stamps
``last_reused_at``. A miss calls the provider and stores the analysis for ``CACHE_TTL_DAYS`` (90).

Providers (``ROOF_PROVIDERS``; add one with ``roof_provider_register``):

* ``manual`` — the integrator types what they measured (area, tilt, azimuth, shading); always stored
  as a new entry (it is newer knowledge than any cached one);
* ``google_solar`` — ``engineering.solar_api`` (Google Solar API ``buildingInsights:findClosest``).

When the provider is down, a cached entry past its TTL is returned flagged ``stale`` (the documented
fallback); with nothing cached the caller gets ``PhotogrammetryUnavailable`` (503) suggesting manual
entry. No building at the point is a 400 on the coordinates.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engineering.models import PhotogrammetryAnalysis, PhotogrammetryStatus, RoofProvider
from engineering.solar_api import (
    BuildingNotFound,
    SolarApiClient,
    SolarApiError,
    SolarApiNotConfigured,
    SolarApiRequestError,
)
from ysh.errors import DomainError

CACHE_TTL_DAYS = 90
PROXIMITY_DEGREES = Decimal("0.0001")
PROXIMITY_METERS = 11.0
#: List price of one buildingInsights request (USD), for the cost/savings counters.
GOOGLE_SOLAR_COST_USD = Decimal("0.0100")
QUALITY_CONFIDENCE = {"HIGH": Decimal("0.90"), "MEDIUM": Decimal("0.75"), "LOW": Decimal("0.50")}

ABBREVIATIONS = {
    "r": "rua",
    "av": "avenida",
    "avda": "avenida",
    "al": "alameda",
    "tv": "travessa",
    "trav": "travessa",
    "pc": "praca",
    "pca": "praca",
    "rod": "rodovia",
    "estr": "estrada",
    "est": "estrada",
    "lg": "largo",
    "jd": "jardim",
    "vl": "vila",
    "pq": "parque",
    "cj": "conjunto",
    "n": "",
    "no": "",
    "nro": "",
    "num": "",
}


class PhotogrammetryError(DomainError):
    code = "invalid_roof_analysis"


class PhotogrammetryUnavailable(DomainError):
    status_code = 503
    code = "roof_provider_unavailable"
    default_message = gettext_lazy(
        "The roof-analysis provider is unavailable and nothing is cached for this place; "
        "enter the roof manually."
    )


# --- keys ------------------------------------------------------------------------------------------


def address_normalize(address: str) -> str:
    text = unicodedata.normalize("NFKD", address or "").encode("ascii", "ignore").decode().lower()
    text = re.sub(r"(\d{5})-(\d{3})", r"\1\2", text)  # CEP 01310-100 → 01310100
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    expanded = [ABBREVIATIONS.get(word, word) for word in words]
    return " ".join(word for word in expanded if word)


def address_hash(address: str) -> str:
    normalized = address_normalize(address)
    return hashlib.sha256(normalized.encode()).hexdigest() if normalized else ""


def coordinates_hash(lat: float | Decimal, lon: float | Decimal) -> str:
    return hashlib.sha256(f"{float(lat):.5f},{float(lon):.5f}".encode()).hexdigest()


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


# --- lookup ----------------------------------------------------------------------------------------


def _usable(*, now, include_expired: bool):
    queryset = PhotogrammetryAnalysis.objects.filter(status=PhotogrammetryStatus.COMPLETED)
    return queryset if include_expired else queryset.filter(expires_at__gt=now)


def photogrammetry_lookup(
    *,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    include_expired: bool = False,
    now=None,
) -> tuple[PhotogrammetryAnalysis | None, str | None]:
    """(analysis, level) with level in "address", "coordinates", "proximity"; (None, None) on a miss."""
    now = now or timezone.now()
    queryset = _usable(now=now, include_expired=include_expired).order_by("-created_at", "-id")
    key = address_hash(address)
    if key:
        hit = queryset.filter(address_hash=key).first()
        if hit:
            return hit, "address"
    if lat is None or lon is None:
        return None, None
    hit = queryset.filter(coordinates_hash=coordinates_hash(lat, lon)).first()
    if hit:
        return hit, "coordinates"
    lat_d, lon_d = Decimal(str(lat)), Decimal(str(lon))
    nearby = queryset.filter(
        lat__gte=lat_d - PROXIMITY_DEGREES,
        lat__lte=lat_d + PROXIMITY_DEGREES,
        lon__gte=lon_d - PROXIMITY_DEGREES,
        lon__lte=lon_d + PROXIMITY_DEGREES,
    )[:50]
    best = None
    for candidate in nearby:
        distance = distance_m(float(lat), float(lon), float(candidate.lat), float(candidate.lon))
        if distance <= PROXIMITY_METERS and (best is None or distance < best[0]):
            best = (distance, candidate)
    return (best[1], "proximity") if best else (None, None)


def _count_reuse(analysis: PhotogrammetryAnalysis) -> None:
    now = timezone.now()
    PhotogrammetryAnalysis.objects.filter(pk=analysis.pk).update(
        times_reused=F("times_reused") + 1, last_reused_at=now
    )
    analysis.refresh_from_db(fields=["times_reused", "last_reused_at"])


# --- providers -------------------------------------------------------------------------------------


@dataclass
class RoofData:
    provider: str
    total_area_m2: float | None = None
    usable_area_m2: float | None = None
    tilt_deg: float | None = None
    azimuth_deg: float | None = None
    segments: list[dict] = field(default_factory=list)
    max_panels: int | None = None
    panel_capacity_w: int | None = None
    annual_sunshine_hours: float | None = None
    annual_shade_pct: float | None = None
    imagery_quality: str = ""
    imagery_date: Any = None
    confidence: Decimal | None = None
    lat: float | None = None
    lon: float | None = None
    raw: dict = field(default_factory=dict)
    cost_usd: Decimal = Decimal(0)
    api_calls: int = 0


class RoofAnalysisProvider(Protocol):
    name: str

    def analyze(
        self, *, address: str, lat: float | None, lon: float | None, manual: dict | None
    ) -> RoofData: ...


class ManualProvider:
    name = RoofProvider.MANUAL

    def analyze(self, *, address: str, lat: float | None, lon: float | None, manual: dict | None) -> RoofData:
        data = manual or {}
        errors: dict[str, list[str]] = {}
        total = data.get("total_area_m2")
        if total is None or float(total) <= 0:
            errors["total_area_m2"] = [_("Enter the roof area in m² (more than zero).")]
        usable = data.get("usable_area_m2")
        if usable is not None and total is not None and float(usable) > float(total):
            errors["usable_area_m2"] = [_("The usable area cannot exceed the roof area.")]
        tilt = data.get("tilt_deg")
        if tilt is not None and not 0 <= float(tilt) <= 90:
            errors["tilt_deg"] = [_("The tilt must be between 0° and 90°.")]
        azimuth = data.get("azimuth_deg")
        if azimuth is not None and not 0 <= float(azimuth) <= 360:
            errors["azimuth_deg"] = [_("The azimuth must be between 0° and 360°.")]
        shade = data.get("annual_shade_pct")
        if shade is not None and not 0 <= float(shade) <= 100:
            errors["annual_shade_pct"] = [_("Shading is a percentage between 0 and 100.")]
        if errors:
            raise PhotogrammetryError(_("Invalid manual roof data."), extra=errors)
        return RoofData(
            provider=self.name,
            total_area_m2=float(total),
            usable_area_m2=float(usable) if usable is not None else float(total) * 0.8,
            tilt_deg=float(tilt) if tilt is not None else None,
            azimuth_deg=float(azimuth) if azimuth is not None else None,
            annual_shade_pct=float(shade) if shade is not None else None,
            segments=list(data.get("segments") or []),
            confidence=Decimal("0.60"),
            lat=lat,
            lon=lon,
            raw={"manual": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}},
        )


class GoogleSolarProvider:
    name = RoofProvider.GOOGLE_SOLAR

    def __init__(self, client: SolarApiClient | None = None):
        self.client = client or SolarApiClient()

    def analyze(self, *, address: str, lat: float | None, lon: float | None, manual: dict | None) -> RoofData:
        if lat is None or lon is None:
            raise PhotogrammetryError(
                _("The roof-analysis provider needs coordinates."),
                extra={"lat": [_("Latitude and longitude are required for this provider.")]},
            )
        insights = self.client.building_insights(lat=lat, lon=lon)
        main = insights.main_segment
        return RoofData(
            provider=self.name,
            total_area_m2=insights.whole_roof_area_m2,
            usable_area_m2=insights.max_array_area_m2,
            tilt_deg=main.pitch_deg if main else None,
            azimuth_deg=main.azimuth_deg if main else None,
            segments=[s.as_dict() for s in insights.segments],
            max_panels=insights.max_panels,
            panel_capacity_w=insights.panel_capacity_w,
            annual_sunshine_hours=insights.max_sunshine_hours_per_year,
            imagery_quality=insights.imagery_quality,
            imagery_date=insights.imagery_date,
            confidence=QUALITY_CONFIDENCE.get(insights.imagery_quality),
            lat=lat,
            lon=lon,
            raw=insights.raw,
            cost_usd=GOOGLE_SOLAR_COST_USD,
            api_calls=1,
        )


ROOF_PROVIDERS: dict[str, Callable[[], RoofAnalysisProvider]] = {
    RoofProvider.MANUAL: ManualProvider,
    RoofProvider.GOOGLE_SOLAR: GoogleSolarProvider,
}


def roof_provider_register(name: str, factory: Callable[[], RoofAnalysisProvider]) -> None:
    ROOF_PROVIDERS[name] = factory


# --- service ---------------------------------------------------------------------------------------


@dataclass
class RoofAnalysisResult:
    analysis: PhotogrammetryAnalysis
    cache_hit: bool
    level: str | None = None
    stale: bool = False
    note: str = ""


def _dec(value, places: str = "0.1") -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def _validate_point(lat, lon) -> None:
    errors = {}
    if lat is not None and not -34.0 <= float(lat) <= 5.5:
        errors["lat"] = [_("Latitude outside Brazil.")]
    if lon is not None and not -74.5 <= float(lon) <= -28.5:
        errors["lon"] = [_("Longitude outside Brazil.")]
    if (lat is None) != (lon is None):
        errors["lat" if lat is None else "lon"] = [_("Give both latitude and longitude.")]
    if errors:
        raise PhotogrammetryError(_("Invalid coordinates."), extra=errors)


def photogrammetry_analyze(
    *,
    provider: str,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    manual: dict | None = None,
    organization=None,
    force_refresh: bool = False,
    client: SolarApiClient | None = None,
    address_parts: dict | None = None,
) -> RoofAnalysisResult:
    """The roof analysis for a place: from the cache when possible, otherwise from ``provider``."""
    if provider not in ROOF_PROVIDERS:
        raise PhotogrammetryError(
            _("Unknown roof-analysis provider."),
            extra={"provider": [_("Use one of: %s.") % ", ".join(ROOF_PROVIDERS)]},
        )
    _validate_point(lat, lon)
    if not address and lat is None:
        raise PhotogrammetryError(
            _("Give an address or coordinates."),
            extra={"address": [_("An address or coordinates are required.")]},
        )
    if provider != RoofProvider.MANUAL and not force_refresh:
        hit, level = photogrammetry_lookup(address=address, lat=lat, lon=lon)
        if hit is not None:
            _count_reuse(hit)
            return RoofAnalysisResult(analysis=hit, cache_hit=True, level=level)
    factory = ROOF_PROVIDERS[provider]
    instance = GoogleSolarProvider(client) if provider == RoofProvider.GOOGLE_SOLAR and client else factory()
    started = time.monotonic()
    try:
        data = instance.analyze(address=address, lat=lat, lon=lon, manual=manual)
    except SolarApiNotConfigured as exc:
        return _fallback(
            address, lat, lon, _("The roof-analysis provider is not configured (GOOGLE_SOLAR_API_KEY)."), exc
        )
    except BuildingNotFound as exc:
        raise PhotogrammetryError(
            _("No building was found at these coordinates."),
            extra={
                "lat": [_("No building near this point; check the coordinates or enter the roof manually.")]
            },
        ) from exc
    except SolarApiRequestError as exc:
        raise PhotogrammetryError(
            _("The roof-analysis provider refused the request: %(reason)s")
            % {"reason": exc.reason or exc.status}
        ) from exc
    except SolarApiError as exc:
        return _fallback(address, lat, lon, _("The roof-analysis provider is unavailable."), exc)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    analysis = _store(
        data=data,
        address=address,
        lat=lat,
        lon=lon,
        organization=organization,
        elapsed_ms=elapsed_ms,
        parts=address_parts or {},
    )
    return RoofAnalysisResult(analysis=analysis, cache_hit=False)


def _fallback(address, lat, lon, message, exc) -> RoofAnalysisResult:
    stale, level = photogrammetry_lookup(address=address, lat=lat, lon=lon, include_expired=True)
    if stale is None:
        raise PhotogrammetryUnavailable(
            _("%(message)s Nothing is cached for this place; enter the roof manually (provider=manual).")
            % {"message": message},
            extra={"fallback": "manual"},
        ) from exc
    _count_reuse(stale)
    return RoofAnalysisResult(
        analysis=stale,
        cache_hit=True,
        level=level,
        stale=stale.expires_at <= timezone.now(),
        note=str(message) + " " + _("Showing the last analysis of this place."),
    )


@transaction.atomic
def _store(*, data: RoofData, address, lat, lon, organization, elapsed_ms, parts) -> PhotogrammetryAnalysis:
    now = timezone.now()
    kwp = None
    if data.max_panels and data.panel_capacity_w:
        kwp = Decimal(data.max_panels * data.panel_capacity_w) / 1000
    return PhotogrammetryAnalysis.objects.create(
        address=address[:300],
        normalized_address=address_normalize(address)[:300],
        address_hash=address_hash(address),
        lat=_dec(lat, "0.000001"),
        lon=_dec(lon, "0.000001"),
        coordinates_hash=coordinates_hash(lat, lon) if lat is not None and lon is not None else "",
        street=(parts.get("street") or "")[:200],
        number=(parts.get("number") or "")[:20],
        city=(parts.get("city") or "")[:100],
        state=(parts.get("state") or "")[:2].upper(),
        cep=re.sub(r"\D", "", parts.get("cep") or "")[:8],
        provider=data.provider,
        total_area_m2=_dec(data.total_area_m2),
        usable_area_m2=_dec(data.usable_area_m2),
        tilt_deg=_dec(data.tilt_deg),
        azimuth_deg=_dec(data.azimuth_deg),
        roof_segments=data.segments,
        max_panels=data.max_panels,
        panel_capacity_w=data.panel_capacity_w,
        system_size_kwp=_dec(kwp, "0.01"),
        annual_sunshine_hours=_dec(data.annual_sunshine_hours),
        annual_shade_pct=_dec(data.annual_shade_pct),
        imagery_quality=data.imagery_quality,
        imagery_date=data.imagery_date,
        confidence_score=data.confidence,
        raw_response=data.raw,
        cost_usd=data.cost_usd,
        api_calls=data.api_calls,
        processing_ms=elapsed_ms,
        cache_ttl_days=CACHE_TTL_DAYS,
        expires_at=now + timedelta(days=CACHE_TTL_DAYS),
        organization=organization,
    )

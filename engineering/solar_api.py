"""The one client for the roof-analysis HTTP provider, speaking the Google Solar API
``buildingInsights:findClosest`` format.

``GET {base}/v1/buildingInsights:findClosest?location.latitude=…&location.longitude=…``
``&requiredQuality=…&key=…``
answers the building nearest to the point::

    {"name": "buildings/…", "center": {"latitude", "longitude"}, "imageryDate": {"year","month","day"},
     "imageryQuality": "HIGH|MEDIUM|LOW", "postalCode", "administrativeArea", "regionCode",
     "solarPotential": {"maxArrayPanelsCount", "maxArrayAreaMeters2", "maxSunshineHoursPerYear",
        "panelCapacityWatts", "panelHeightMeters", "panelWidthMeters",
        "wholeRoofStats": {"areaMeters2", "sunshineQuantiles", "groundAreaMeters2"},
        "roofSegmentStats": [{"pitchDegrees", "azimuthDegrees", "stats": {"areaMeters2", …}, "center"}],
        "solarPanelConfigs": [...], ...}}

Errors come as ``{"error": {"code", "message", "status"}}``: 404 ``NOT_FOUND`` (no building near
the point) → ``BuildingNotFound``; 400/403 → ``SolarApiRequestError``; 429/5xx and network errors are
retried with exponential backoff and then raise ``SolarApiUnavailable``.

Configuration (Django settings or the environment): ``GOOGLE_SOLAR_API_KEY`` (no default: without it
the provider is "not configured"), ``GOOGLE_SOLAR_API_URL`` (default ``https://solar.googleapis.com``).
Azimuths are degrees clockwise from north (0 = facing north, the best face in Brazil), as ours.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from engineering.conf import client_setting

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://solar.googleapis.com"
DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=15.0, write=5.0, pool=3.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
QUALITIES = ("HIGH", "MEDIUM", "LOW")


class SolarApiError(Exception):
    def __init__(self, message: str, *, status: int | None = None, reason: str = "", attempts: int = 0):
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.attempts = attempts


class SolarApiNotConfigured(SolarApiError):
    """No API key."""


class BuildingNotFound(SolarApiError):
    """The provider has no building (or no imagery of the quality asked) near the point."""


class SolarApiRequestError(SolarApiError):
    """The request was refused (bad coordinates, key without permission…): retrying will not help."""


class SolarApiUnavailable(SolarApiError):
    """Network error, timeout, 5xx or 429 after the retries."""


class SolarApiFormatError(SolarApiError):
    """The answer is not a buildingInsights document."""


@dataclass(frozen=True)
class RoofSegment:
    pitch_deg: float
    azimuth_deg: float
    area_m2: float
    ground_area_m2: float | None
    sunshine_median_hours: float | None
    center: tuple[float, float] | None

    def as_dict(self) -> dict:
        return {
            "pitch_deg": self.pitch_deg,
            "azimuth_deg": self.azimuth_deg,
            "area_m2": self.area_m2,
            "ground_area_m2": self.ground_area_m2,
            "sunshine_median_hours": self.sunshine_median_hours,
            "center": list(self.center) if self.center else None,
        }


@dataclass(frozen=True)
class BuildingInsights:
    name: str
    lat: float
    lon: float
    imagery_quality: str
    imagery_date: date | None
    postal_code: str
    administrative_area: str
    region_code: str
    max_panels: int | None
    max_array_area_m2: float | None
    max_sunshine_hours_per_year: float | None
    panel_capacity_w: int | None
    panel_height_m: float | None
    panel_width_m: float | None
    whole_roof_area_m2: float | None
    segments: list[RoofSegment] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def main_segment(self) -> RoofSegment | None:
        return max(self.segments, key=lambda s: s.area_m2) if self.segments else None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _median(values: list | None) -> float | None:
    if not values:
        return None
    ordered = sorted(float(v) for v in values)
    return ordered[len(ordered) // 2]


def building_insights_parse(payload: dict[str, Any]) -> BuildingInsights:
    """Parse a ``buildingInsights`` document (raises ``SolarApiFormatError`` when it is not one)."""
    if not isinstance(payload, dict) or "solarPotential" not in payload or "center" not in payload:
        raise SolarApiFormatError("not a buildingInsights document")
    potential = payload.get("solarPotential") or {}
    center = payload.get("center") or {}
    lat, lon = _float(center.get("latitude")), _float(center.get("longitude"))
    if lat is None or lon is None:
        raise SolarApiFormatError("buildingInsights without a center")
    imagery = payload.get("imageryDate") or {}
    try:
        imagery_date = date(
            int(imagery["year"]), int(imagery.get("month") or 1), int(imagery.get("day") or 1)
        )
    except (KeyError, TypeError, ValueError):
        imagery_date = None
    segments = []
    for raw in potential.get("roofSegmentStats") or []:
        stats = raw.get("stats") or {}
        area = _float(stats.get("areaMeters2"))
        if area is None:
            continue
        seg_center = raw.get("center") or {}
        segments.append(
            RoofSegment(
                pitch_deg=_float(raw.get("pitchDegrees")) or 0.0,
                azimuth_deg=_float(raw.get("azimuthDegrees")) or 0.0,
                area_m2=area,
                ground_area_m2=_float(stats.get("groundAreaMeters2")),
                sunshine_median_hours=_median(stats.get("sunshineQuantiles")),
                center=(seg_center["latitude"], seg_center["longitude"])
                if "latitude" in seg_center and "longitude" in seg_center
                else None,
            )
        )
    whole = potential.get("wholeRoofStats") or {}
    max_panels = potential.get("maxArrayPanelsCount")
    capacity = potential.get("panelCapacityWatts")
    return BuildingInsights(
        name=str(payload.get("name") or ""),
        lat=lat,
        lon=lon,
        imagery_quality=str(payload.get("imageryQuality") or ""),
        imagery_date=imagery_date,
        postal_code=str(payload.get("postalCode") or ""),
        administrative_area=str(payload.get("administrativeArea") or ""),
        region_code=str(payload.get("regionCode") or ""),
        max_panels=int(max_panels) if max_panels is not None else None,
        max_array_area_m2=_float(potential.get("maxArrayAreaMeters2")),
        max_sunshine_hours_per_year=_float(potential.get("maxSunshineHoursPerYear")),
        panel_capacity_w=int(capacity) if capacity is not None else None,
        panel_height_m=_float(potential.get("panelHeightMeters")),
        panel_width_m=_float(potential.get("panelWidthMeters")),
        whole_roof_area_m2=_float(whole.get("areaMeters2")),
        segments=segments,
        raw=payload,
    )


class SolarApiClient:
    """``transport`` lets tests inject an httpx transport; ``backoff`` is the first retry delay."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        retries: int = 2,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ):
        self.api_key = api_key if api_key is not None else client_setting("GOOGLE_SOLAR_API_KEY")
        self.base_url = (base_url or client_setting("GOOGLE_SOLAR_API_URL", DEFAULT_BASE_URL)).rstrip("/")
        self.timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self.retries = max(0, retries)
        self.backoff = backoff
        self.transport = transport

    @property
    def configured(self) -> bool:
        return bool(self.api_key)

    def building_insights(
        self, *, lat: float, lon: float, required_quality: str = "MEDIUM"
    ) -> BuildingInsights:
        if not self.configured:
            raise SolarApiNotConfigured("GOOGLE_SOLAR_API_KEY is not set")
        if required_quality not in QUALITIES:
            raise ValueError(f"required_quality must be one of {QUALITIES}")
        url = f"{self.base_url}/v1/buildingInsights:findClosest"
        params = {
            "location.latitude": f"{lat:.6f}",
            "location.longitude": f"{lon:.6f}",
            "requiredQuality": required_quality,
            "key": self.api_key,
        }
        response = self._get(url, params)
        try:
            payload = response.json()
        except ValueError as exc:
            raise SolarApiFormatError("answer is not JSON", status=response.status_code) from exc
        return building_insights_parse(payload)

    def _get(self, url: str, params: dict) -> httpx.Response:
        last: SolarApiError | None = None
        with httpx.Client(
            timeout=self.timeout, transport=self.transport, headers={"Accept": "application/json"}
        ) as client:
            for attempt in range(1, self.retries + 2):
                try:
                    response = client.get(url, params=params)
                except httpx.HTTPError as exc:
                    last = SolarApiUnavailable(f"network error: {exc.__class__.__name__}", attempts=attempt)
                else:
                    if response.status_code == 200:
                        return response
                    error = self._error(response, attempt)
                    if response.status_code not in RETRY_STATUSES:
                        raise error
                    last = error
                if attempt <= self.retries:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
        logger.warning("solar api unavailable after %s attempts: %s", self.retries + 1, last)
        raise last  # type: ignore[misc]

    @staticmethod
    def _error(response: httpx.Response, attempt: int) -> SolarApiError:
        try:
            body = response.json().get("error") or {}
        except (ValueError, AttributeError):
            body = {}
        message = str(body.get("message") or response.reason_phrase or "error")
        reason = str(body.get("status") or "")
        status = response.status_code
        if status == 404:
            return BuildingNotFound(message, status=status, reason=reason, attempts=attempt)
        if status in RETRY_STATUSES:
            return SolarApiUnavailable(message, status=status, reason=reason, attempts=attempt)
        return SolarApiRequestError(message, status=status, reason=reason, attempts=attempt)

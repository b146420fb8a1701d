"""The one client for PVGIS (JRC): the typical meteorological year through
``pvlib.iotools.get_pvgis_tmy``, reduced to monthly means.

PVGIS answers ``{"inputs", "outputs": {"months_selected", "tmy_hourly": [{"time(UTC)", "T2m",
"G(h)", "Gb(n)", "Gd(h)", ...}]}, "meta"}`` with hourly irradiance in W/m²; we keep, per month,
the mean daily GHI (kWh/m²/day), the mean air temperature and the diffuse fraction.

Configuration: ``PVGIS_URL`` (default ``https://re.jrc.ec.europa.eu/api/``; pvlib appends
``tmy``), ``PVGIS_ENABLED`` (default true; false = never call out). After a network failure PVGIS
is not tried again for ``PVGIS_RETRY_AFTER_S`` (default 600 s), so an offline deployment answers from
the shipped table without waiting on timeouts.
"""

import logging
from dataclasses import asdict, dataclass

import requests
from django.core.cache import cache

from engineering.conf import client_setting

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://re.jrc.ec.europa.eu/api/"
DEFAULT_TIMEOUT_S = 20
DOWN_KEY = "pvgis:down"


class PvgisError(Exception):
    pass


class PvgisUnavailable(PvgisError):
    """Network error, timeout, 5xx — or PVGIS was marked down a moment ago."""


class PvgisRequestError(PvgisError):
    """PVGIS refused the request (e.g. "Location over the sea" or outside the database)."""


class PvgisFormatError(PvgisError):
    """The answer is not a PVGIS TMY document."""


@dataclass(frozen=True)
class PvgisMonthly:
    monthly_ghi_kwh_m2_day: list[float]
    monthly_temp_c: list[float]
    monthly_diffuse_fraction: list[float]
    radiation_db: str
    meteo_db: str
    year_min: int | None
    year_max: int | None
    elevation_m: float | None

    def as_payload(self) -> dict:
        return asdict(self)


def pvgis_url() -> str:
    url = client_setting("PVGIS_URL", DEFAULT_URL)
    return url if url.endswith("/") else url + "/"


def pvgis_enabled() -> bool:
    return client_setting("PVGIS_ENABLED", "true").strip().lower() not in ("0", "false", "no", "off")


def _retry_after_s() -> int:
    try:
        return int(client_setting("PVGIS_RETRY_AFTER_S", "600"))
    except ValueError:
        return 600


def tmy_monthly(
    *, lat: float, lon: float, url: str | None = None, timeout: int = DEFAULT_TIMEOUT_S
) -> PvgisMonthly:
    """Fetch the PVGIS TMY for a point and reduce it to monthly means."""
    from pvlib.iotools import get_pvgis_tmy

    if cache.get(DOWN_KEY):
        raise PvgisUnavailable("PVGIS was unreachable a moment ago")
    base = url or pvgis_url()
    try:
        data, meta = get_pvgis_tmy(
            lat, lon, outputformat="json", usehorizon=True, url=base, timeout=timeout, map_variables=True
        )
    except requests.HTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status is not None and status >= 500:
            cache.set(DOWN_KEY, True, _retry_after_s())
            raise PvgisUnavailable(f"PVGIS HTTP {status}") from exc
        raise PvgisRequestError(str(exc)[:300]) from exc
    except requests.RequestException as exc:
        cache.set(DOWN_KEY, True, _retry_after_s())
        raise PvgisUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc
    except (KeyError, ValueError, TypeError) as exc:
        raise PvgisFormatError(f"unexpected PVGIS answer: {exc}"[:300]) from exc
    return monthly_from_tmy(data, meta)


def monthly_from_tmy(data, meta: dict) -> PvgisMonthly:
    """Monthly means of a TMY DataFrame (pvlib column names: ghi, dhi, temp_air; hourly W/m²)."""
    for column in ("ghi", "dhi", "temp_air"):
        if column not in data.columns:
            raise PvgisFormatError(f"TMY without column {column}")
    if len(data) < 8000:
        raise PvgisFormatError(f"TMY with {len(data)} hours")
    ghi, temp, diffuse = [], [], []
    for month in range(1, 13):
        rows = data[data.index.month == month]
        if rows.empty:
            raise PvgisFormatError(f"TMY without month {month}")
        days = len(rows) / 24.0
        ghi_wh = float(rows["ghi"].clip(lower=0).sum())
        dhi_wh = float(rows["dhi"].clip(lower=0).sum())
        ghi.append(round(ghi_wh / days / 1000.0, 4))
        temp.append(round(float(rows["temp_air"].mean()), 2))
        diffuse.append(round(dhi_wh / ghi_wh, 4) if ghi_wh > 0 else 1.0)
    inputs = (meta or {}).get("inputs", {}) if isinstance(meta, dict) else {}
    meteo = inputs.get("meteo_data", {}) if isinstance(inputs, dict) else {}
    location = inputs.get("location", {}) if isinstance(inputs, dict) else {}
    return PvgisMonthly(
        monthly_ghi_kwh_m2_day=ghi,
        monthly_temp_c=temp,
        monthly_diffuse_fraction=diffuse,
        radiation_db=str(meteo.get("radiation_db", "")),
        meteo_db=str(meteo.get("meteo_db", "")),
        year_min=meteo.get("year_min"),
        year_max=meteo.get("year_max"),
        elevation_m=location.get("elevation"),
    )

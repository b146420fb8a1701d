"""Irradiation by location and PV generation with pvlib.

``irradiation_for(lat, lon)``: monthly mean daily GHI (kWh/m²/day) and air temperature.
1. ``PVLibCache`` (key ``pvgis-tmy:<lat>:<lon>`` rounded to 2 decimals ≈ 1.1 km, 7-day TTL) →
   ``source="cache"``;
2. PVGIS TMY through ``pvlib.iotools.get_pvgis_tmy`` (``engineering.pvgis``) → ``"pvgis-tmy"``,
   stored in the cache;
3. offline (PVGIS unreachable/disabled/refusing the point): the shipped table of monthly GHI of
   every state capital from the INPE/LABREN Atlas Brasileiro de Energia Solar, 2ª ed. (2017)
   (``data/atlas_ghi_capitals.csv``), the nearest capital by great-circle distance →
   ``"atlas-capitals"`` with ``nearest_capital`` and ``distance_km``. Fallback answers are not cached.

``generation_simulate(...)``: hourly simulation over a synthetic reference year:
- shape: pvlib clear-sky GHI (Ineichen, Linke turbidity climatology) at the site, hour by hour,
  scaled month by month so each month's mean daily GHI equals the irradiation above (every day of
  a month has the same clearness);
- decomposition GHI → DNI/DHI with Erbs; transposition to the plane with Perez (albedo 0.20);
  incidence-angle losses with the physical IAM model (beam) and its Marion integrals (diffuse);
- air temperature: the month's mean plus a ±4 °C daily cycle peaking at 15 h solar time; cell
  temperature with the Ross/NOCT model; DC power with PVWatts and the module's Pmax coefficient;
- losses: soiling (on irradiance), DC wiring and mismatch, inverter efficiency curve (PVWatts) and
  clipping at the inverter AC rating, availability, and degradation ``(1 − d)^year``.

Azimuth convention (the same as pvlib's): the compass direction the panel faces, 0° = north,
90° = east, 180° = south, 270° = west. In Brazil (southern hemisphere) north-facing, 0°, is best.
"""

import csv
import math
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from engineering import pvgis
from engineering.location import coordinates_validate, haversine_km
from ysh.errors import DomainError

DATA_DIR = Path(__file__).resolve().parent / "data"
CACHE_TTL = timedelta(days=7)
REFERENCE_YEAR = 2023  # any non-leap year: only the sun's path matters
DIURNAL_HALF_RANGE_C = 4.0
ALBEDO = 0.20
ATLAS_SOURCE = "INPE/LABREN Atlas Brasileiro de Energia Solar 2ª ed. 2017"


class GenerationInputError(DomainError):
    code = "invalid"

    def __init__(self, field_name: str, message):
        super().__init__(message, extra={field_name: [str(message)]})
        self.field = field_name


@dataclass(frozen=True)
class Irradiation:
    monthly_ghi_kwh_m2_day: list[float]
    annual_ghi_kwh_m2_day: float
    source: str
    nearest_capital: str | None
    distance_km: float | None
    cached: bool
    note: str
    monthly_temp_c: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class ModuleParams:
    """Defaults: a 550 W mono PERC/TOPCon-class module."""

    power_w: float = 550.0
    temp_coeff_pmax_pct: float = -0.35
    noct_c: float = 45.0


@dataclass(frozen=True)
class InverterParams:
    ac_power_w: float
    efficiency_pct: float = 97.5


@dataclass(frozen=True)
class Losses:
    """Defaults (percent): soiling 2, DC wiring 2, mismatch 2, availability 99, degradation
    0.5 %/year (typical crystalline modules under a 25/30-year linear warranty)."""

    soiling_pct: float = 2.0
    wiring_pct: float = 2.0
    mismatch_pct: float = 2.0
    availability_pct: float = 99.0
    annual_degradation_pct: float = 0.5


@dataclass(frozen=True)
class Generation:
    monthly_kwh: list[float]
    annual_kwh: float
    specific_yield_kwh_kwp: float
    performance_ratio: float
    clipping_kwh: float
    source: str
    assumptions: dict


DEFAULT_DC_AC_RATIO = 1.15


# --- shipped tables ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _CapitalClimate:
    name: str
    uf: str
    lat: float
    lon: float
    ghi: tuple[float, ...]  # kWh/m²/day, JAN..DEC
    temp: tuple[float, ...]  # °C, JAN..DEC


@lru_cache(maxsize=1)
def capital_climates() -> tuple[_CapitalClimate, ...]:
    months = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    with open(DATA_DIR / "capitals.csv", encoding="utf-8") as handle:
        temps = {
            row["uf"]: tuple(float(row[f"t_{m.lower()}"]) for m in months) for row in csv.DictReader(handle)
        }
    with open(DATA_DIR / "atlas_ghi_capitals.csv", encoding="utf-8") as handle:
        return tuple(
            _CapitalClimate(
                name=row["NAME"],
                uf=row["STATE"],
                lat=float(row["LAT"]),
                lon=float(row["LON"]),
                ghi=tuple(int(row[m]) / 1000.0 for m in months),
                temp=temps[row["STATE"]],
            )
            for row in csv.DictReader(handle)
        )


def _nearest_climate(lat: float, lon: float) -> tuple[_CapitalClimate, float]:
    best = min(capital_climates(), key=lambda c: haversine_km(lat, lon, c.lat, c.lon))
    return best, haversine_km(lat, lon, best.lat, best.lon)


def _annual(values: list[float]) -> float:
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return round(sum(v * d for v, d in zip(values, days, strict=True)) / 365.0, 3)


def _cache_key(lat: float, lon: float) -> tuple[str, Decimal, Decimal]:
    lat_r = Decimal(str(lat)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    lon_r = Decimal(str(lon)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"pvgis-tmy:{lat_r}:{lon_r}", lat_r, lon_r


# --- irradiation ------------------------------------------------------------------------------
def irradiation_for(*, lat: float, lon: float) -> Irradiation:
    """Monthly irradiation at a point in Brazil (see the module docstring for the sources)."""
    from engineering.models import PVLibCache

    lat_f, lon_f = coordinates_validate(lat=lat, lon=lon)
    key, lat_r, lon_r = _cache_key(lat_f, lon_f)
    now = timezone.now()
    entry = PVLibCache.objects.filter(key=key, expires_at__gt=now).first()
    if entry is not None and len(entry.payload.get("monthly_ghi_kwh_m2_day") or []) == 12:
        PVLibCache.objects.filter(pk=entry.pk).update(hits=F("hits") + 1, last_hit_at=now)
        payload = entry.payload
        return Irradiation(
            monthly_ghi_kwh_m2_day=list(payload["monthly_ghi_kwh_m2_day"]),
            annual_ghi_kwh_m2_day=_annual(payload["monthly_ghi_kwh_m2_day"]),
            source="cache",
            nearest_capital=None,
            distance_km=None,
            cached=True,
            note=_("PVGIS TMY (%(db)s) fetched on %(when)s, served from the 7-day cache.")
            % {"db": payload.get("radiation_db") or "PVGIS", "when": entry.fetched_at.date().isoformat()},
            monthly_temp_c=list(payload.get("monthly_temp_c") or []),
        )

    reason = ""
    if pvgis.pvgis_enabled():
        try:
            monthly = pvgis.tmy_monthly(lat=float(lat_r), lon=float(lon_r))
        except pvgis.PvgisUnavailable as exc:
            reason = _("PVGIS unreachable (%(error)s)") % {"error": exc}
        except pvgis.PvgisRequestError as exc:
            reason = _("PVGIS has no data for this point (%(error)s)") % {"error": exc}
        except pvgis.PvgisFormatError as exc:
            reason = _("PVGIS answer unreadable (%(error)s)") % {"error": exc}
        else:
            PVLibCache.objects.update_or_create(
                key=key,
                defaults={
                    "lat": lat_r,
                    "lon": lon_r,
                    "source": "pvgis-tmy",
                    "payload": monthly.as_payload(),
                    "fetched_at": now,
                    "expires_at": now + CACHE_TTL,
                },
            )
            return Irradiation(
                monthly_ghi_kwh_m2_day=list(monthly.monthly_ghi_kwh_m2_day),
                annual_ghi_kwh_m2_day=_annual(monthly.monthly_ghi_kwh_m2_day),
                source="pvgis-tmy",
                nearest_capital=None,
                distance_km=None,
                cached=False,
                note=_("PVGIS TMY (%(db)s, %(y0)s–%(y1)s) for this point.")
                % {"db": monthly.radiation_db or "PVGIS", "y0": monthly.year_min, "y1": monthly.year_max},
                monthly_temp_c=list(monthly.monthly_temp_c),
            )
    else:
        reason = _("PVGIS disabled")

    climate, distance = _nearest_climate(lat_f, lon_f)
    return Irradiation(
        monthly_ghi_kwh_m2_day=list(climate.ghi),
        annual_ghi_kwh_m2_day=_annual(list(climate.ghi)),
        source="atlas-capitals",
        nearest_capital=f"{climate.name}/{climate.uf}",
        distance_km=round(distance, 1),
        cached=False,
        note=_(
            "Offline estimate: %(reason)s. Monthly GHI of the nearest state capital, %(capital)s "
            "(%(km)s km away), from the %(atlas)s; mean temperatures are estimates."
        )
        % {"reason": reason, "capital": climate.name, "km": round(distance, 1), "atlas": ATLAS_SOURCE},
        monthly_temp_c=list(climate.temp),
    )


def pvlib_cache_prune() -> int:
    """Delete expired ``PVLibCache`` entries; returns how many were removed."""
    from engineering.models import PVLibCache

    deleted, _unused = PVLibCache.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- generation -------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _sky(lat: float, lon: float) -> pd.DataFrame:
    """Sun position, clear-sky GHI and extraterrestrial DNI for every hour of the reference year
    (timestamps at the middle of each hour, UTC). Cached per rounded location."""
    from pvlib import atmosphere, irradiance
    from pvlib.location import Location

    times = pd.date_range(f"{REFERENCE_YEAR}-01-01 00:30", periods=8760, freq="h", tz="UTC")
    site = Location(lat, lon, tz="UTC", altitude=0)
    solpos = site.get_solarposition(times)
    clear = site.get_clearsky(times, model="ineichen", solar_position=solpos)
    frame = pd.DataFrame(
        {
            "zenith": solpos["zenith"],
            "apparent_zenith": solpos["apparent_zenith"],
            "azimuth": solpos["azimuth"],
            "ghi_cs": clear["ghi"].clip(lower=0),
            "dni_extra": irradiance.get_extra_radiation(times),
        },
        index=times,
    )
    frame["airmass"] = atmosphere.get_relative_airmass(frame["apparent_zenith"])
    frame["solar_hour"] = ((times.hour + times.minute / 60.0 + lon / 15.0) % 24).to_numpy()
    return frame


def _validate(kwp, tilt_deg, azimuth_deg, module, inverter, losses, degradation_year) -> None:
    if kwp <= 0:
        raise GenerationInputError("kwp", _("The system power must be a positive number of kWp."))
    if float(kwp) > 5000:
        raise GenerationInputError("kwp", _("Distributed generation is limited to 5 MW."))
    if not 0 <= float(tilt_deg) <= 90:
        raise GenerationInputError("tilt_deg", _("The tilt must be between 0° and 90°."))
    if not 0 <= float(azimuth_deg) <= 360:
        raise GenerationInputError("azimuth_deg", _("The azimuth must be between 0° and 360°."))
    if not 0 <= int(degradation_year) <= 50:
        raise GenerationInputError("degradation_year", _("The year must be between 0 and 50."))
    if module.power_w <= 0 or not -2 < module.temp_coeff_pmax_pct < 0.5 or not 20 < module.noct_c < 80:
        raise GenerationInputError("module", _("Module parameters out of range."))
    if inverter.ac_power_w <= 0 or not 50 < inverter.efficiency_pct <= 100:
        raise GenerationInputError("inverter", _("Inverter parameters out of range."))
    for name in ("soiling_pct", "wiring_pct", "mismatch_pct", "annual_degradation_pct"):
        if not 0 <= getattr(losses, name) < 50:
            raise GenerationInputError("losses", _("Losses must be between 0% and 50%."))
    if not 50 <= losses.availability_pct <= 100:
        raise GenerationInputError("losses", _("Availability must be between 50% and 100%."))


def generation_simulate(
    *,
    lat: float,
    lon: float,
    kwp: float,
    tilt_deg: float,
    azimuth_deg: float,
    module: ModuleParams | None = None,
    inverter: InverterParams | None = None,
    losses: Losses | None = None,
    degradation_year: int = 0,
) -> Generation:
    """Monthly and annual AC energy of a PV system (see the module docstring for the method).
    Without ``inverter``, one sized at DC/AC = 1.15 with 97.5% efficiency is assumed."""
    from pvlib import iam, irradiance, pvsystem, temperature
    from pvlib import inverter as pv_inverter

    module = module or ModuleParams()
    losses = losses or Losses()
    if isinstance(kwp, bool) or not isinstance(kwp, int | float | Decimal) or not math.isfinite(float(kwp)):
        raise GenerationInputError("kwp", _("The system power must be a positive number of kWp."))
    kwp_f = float(kwp)
    inverter = inverter or InverterParams(ac_power_w=max(kwp_f, 0.001) * 1000 / DEFAULT_DC_AC_RATIO)
    _validate(kwp_f, tilt_deg, azimuth_deg, module, inverter, losses, degradation_year)
    tilt, azimuth = float(tilt_deg), float(azimuth_deg) % 360

    irr = irradiation_for(lat=lat, lon=lon)
    lat_f, lon_f = coordinates_validate(lat=lat, lon=lon)
    sky = _sky(round(lat_f, 2), round(lon_f, 2))
    month = sky.index.month.to_numpy()
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

    # Scale the clear-sky shape to the month's irradiation.
    target_wh = np.array(irr.monthly_ghi_kwh_m2_day) * days * 1000.0
    clear_wh = np.array([sky["ghi_cs"].to_numpy()[month == m].sum() for m in range(1, 13)])
    scale = np.divide(target_wh, clear_wh, out=np.zeros(12), where=clear_wh > 0)
    ghi = sky["ghi_cs"].to_numpy() * scale[month - 1]
    ghi = pd.Series(ghi, index=sky.index)

    split = irradiance.erbs(ghi, sky["zenith"], sky.index)
    poa = irradiance.get_total_irradiance(
        surface_tilt=tilt,
        surface_azimuth=azimuth,
        solar_zenith=sky["apparent_zenith"],
        solar_azimuth=sky["azimuth"],
        dni=split["dni"],
        ghi=ghi,
        dhi=split["dhi"],
        dni_extra=sky["dni_extra"],
        airmass=sky["airmass"],
        albedo=ALBEDO,
        model="perez",
    ).fillna(0.0)
    aoi = irradiance.aoi(tilt, azimuth, sky["apparent_zenith"], sky["azimuth"])
    iam_beam = iam.physical(aoi).fillna(0.0)
    iam_diffuse = iam.marion_integrate(iam.physical, tilt, "sky")
    iam_ground = iam.marion_integrate(iam.physical, tilt, "ground") if tilt > 0 else 1.0
    effective = (
        poa["poa_direct"] * iam_beam
        + poa["poa_sky_diffuse"] * iam_diffuse
        + poa["poa_ground_diffuse"] * iam_ground
    ) * (1 - losses.soiling_pct / 100.0)

    monthly_temp = np.array(irr.monthly_temp_c or [25.0] * 12)
    temp_air = monthly_temp[month - 1] + DIURNAL_HALF_RANGE_C * np.cos(
        2 * np.pi * (sky["solar_hour"].to_numpy() - 15.0) / 24.0
    )
    temp_cell = temperature.ross(poa["poa_global"], pd.Series(temp_air, index=sky.index), noct=module.noct_c)

    pdc0 = kwp_f * 1000.0
    pdc = pvsystem.pvwatts_dc(effective, temp_cell, pdc0=pdc0, gamma_pdc=module.temp_coeff_pmax_pct / 100.0)
    pdc = pdc.clip(lower=0) * (1 - losses.wiring_pct / 100.0) * (1 - losses.mismatch_pct / 100.0)

    eta_nom = inverter.efficiency_pct / 100.0
    inv_pdc0 = inverter.ac_power_w / eta_nom
    pac = pv_inverter.pvwatts(pdc, pdc0=inv_pdc0, eta_inv_nom=eta_nom).clip(lower=0).fillna(0.0)
    # The same PVWatts efficiency curve without the AC cap, to measure what clipping removed.
    zeta = (pdc / inv_pdc0).where(pdc > 0)
    eta = eta_nom / 0.9637 * (-0.0162 * zeta - 0.0059 / zeta + 0.9858)
    pac_uncapped = (pdc * eta).clip(lower=0).fillna(0.0)
    clipped_wh = float((pac_uncapped - pac).clip(lower=0).sum())

    factor = (losses.availability_pct / 100.0) * (1 - losses.annual_degradation_pct / 100.0) ** int(
        degradation_year
    )
    monthly_kwh = [round(float(pac.to_numpy()[month == m].sum()) * factor / 1000.0, 1) for m in range(1, 13)]
    annual_kwh = round(sum(monthly_kwh), 1)
    poa_kwh_m2 = float(poa["poa_global"].sum()) / 1000.0
    performance_ratio = annual_kwh / (kwp_f * poa_kwh_m2) if poa_kwh_m2 > 0 else 0.0

    return Generation(
        monthly_kwh=monthly_kwh,
        annual_kwh=annual_kwh,
        specific_yield_kwh_kwp=round(annual_kwh / kwp_f, 1),
        performance_ratio=round(performance_ratio, 4),
        clipping_kwh=round(clipped_wh * factor / 1000.0, 1),
        source=irr.source,
        assumptions={
            "method": "hourly synthetic year: Ineichen clear-sky shape scaled to monthly GHI",
            "decomposition": "erbs",
            "transposition": "perez",
            "albedo": ALBEDO,
            "iam": "physical (beam), Marion integrals (diffuse)",
            "temperature_model": "ross (NOCT)",
            "diurnal_temperature_half_range_c": DIURNAL_HALF_RANGE_C,
            "dc_model": "pvwatts",
            "inverter_model": "pvwatts with AC clipping",
            "azimuth_convention": "compass direction the panel faces: 0 north, 90 east, 180 south",
            "tilt_deg": tilt,
            "azimuth_deg": azimuth,
            "kwp": kwp_f,
            "dc_ac_ratio": round(pdc0 / inverter.ac_power_w, 3),
            "module": asdict(module),
            "inverter": asdict(inverter),
            "losses": asdict(losses),
            "degradation_year": int(degradation_year),
            "poa_kwh_m2_year": round(poa_kwh_m2, 1),
            "irradiation": {
                "source": irr.source,
                "annual_ghi_kwh_m2_day": irr.annual_ghi_kwh_m2_day,
                "nearest_capital": irr.nearest_capital,
                "distance_km": irr.distance_km,
                "note": irr.note,
            },
        },
    )

"""Where a system will be installed: ``location_resolve`` turns coordinates, a CEP or a city/state
into a ``Location`` (lat/lon + city/state when known).

- Coordinates: validated against Brazil's bounding box (mainland + Fernando de Noronha) and used
  as given (``source="coordinates"``).
- CEP: validated (8 digits) without calling out, then resolved through ViaCEP to municipality/UF/IBGE
  code; the coordinates are the municipality seat's from the shipped table (``data/capitals.csv`` +
  ``data/municipalities.csv``: every state capital and ~100 major municipalities, matched by IBGE
  code, then by name + UF). A municipality not in the table gets its state capital's coordinates,
  said so in ``note`` (``source="viacep"``). If ViaCEP is down, the CEP's first digits give the state
  (Correios ranges) and the capital's coordinates are used (``source="cep-range"``).
- City + state: looked up in the same table (``source="city"``); unknown city → ``LocationError``.
"""

import csv
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from engineering.viacep import CepInvalid, CepNotFound, ViaCepClient, ViaCepUnavailable, cep_normalize
from ysh.errors import DomainError

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Brazil's bounding box: Chuí (−33.75) to Monte Caburaí (+5.27); Serra da Contamana (−73.99) to
#: Fernando de Noronha (−32.41). Points inside may still be at sea: this is a sanity check.
LAT_MIN, LAT_MAX = -33.80, 5.30
LON_MIN, LON_MAX = -74.10, -32.30

#: Correios CEP ranges (first 5 digits, inclusive) → UF, used only when ViaCEP is unreachable.
CEP_RANGES = (
    (1000, 19999, "SP"),
    (20000, 28999, "RJ"),
    (29000, 29999, "ES"),
    (30000, 39999, "MG"),
    (40000, 48999, "BA"),
    (49000, 49999, "SE"),
    (50000, 56999, "PE"),
    (57000, 57999, "AL"),
    (58000, 58999, "PB"),
    (59000, 59999, "RN"),
    (60000, 63999, "CE"),
    (64000, 64999, "PI"),
    (65000, 65999, "MA"),
    (66000, 68899, "PA"),
    (68900, 68999, "AP"),
    (69000, 69299, "AM"),
    (69300, 69399, "RR"),
    (69400, 69899, "AM"),
    (69900, 69999, "AC"),
    (70000, 72799, "DF"),
    (72800, 72999, "GO"),
    (73000, 73699, "DF"),
    (73700, 76799, "GO"),
    (76800, 76999, "RO"),
    (77000, 77999, "TO"),
    (78000, 78899, "MT"),
    (79000, 79999, "MS"),
    (80000, 87999, "PR"),
    (88000, 89999, "SC"),
    (90000, 99999, "RS"),
)


class LocationError(DomainError):
    """Bad or unresolvable location input; the API answers ``{field: [message]}`` with 400."""

    code = "invalid_location"

    def __init__(self, field: str, message):
        super().__init__(message, extra={field: [str(message)]})
        self.field = field


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    city: str | None
    state: str | None
    source: str
    ibge: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Municipality:
    ibge: str
    name: str
    uf: str
    lat: float
    lon: float
    capital: bool


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


@lru_cache(maxsize=1)
def municipalities() -> tuple[Municipality, ...]:
    """Every state capital plus the shipped major municipalities."""
    rows: list[Municipality] = []
    with open(DATA_DIR / "capitals.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                Municipality(row["ibge"], row["name"], row["uf"], float(row["lat"]), float(row["lon"]), True)
            )
    with open(DATA_DIR / "municipalities.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                Municipality(row["ibge"], row["name"], row["uf"], float(row["lat"]), float(row["lon"]), False)
            )
    return tuple(rows)


def capital_of(uf: str) -> Municipality:
    return next(m for m in municipalities() if m.capital and m.uf == uf.upper())


def capitals() -> list[Municipality]:
    return [m for m in municipalities() if m.capital]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    radius = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(min(1.0, math.sqrt(a)))


def nearest_capital(lat: float, lon: float) -> tuple[Municipality, float]:
    best = min(capitals(), key=lambda m: haversine_km(lat, lon, m.lat, m.lon))
    return best, haversine_km(lat, lon, best.lat, best.lon)


def _coordinate(value, field: str) -> float:
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        raise LocationError(field, _("Enter a number.")) from None
    if not math.isfinite(number):
        raise LocationError(field, _("Enter a number."))
    return number


def coordinates_validate(*, lat, lon) -> tuple[float, float]:
    """Parse and check that the point lies within Brazil's bounding box."""
    lat_f = _coordinate(lat, "lat")
    lon_f = _coordinate(lon, "lon")
    if not LAT_MIN <= lat_f <= LAT_MAX:
        raise LocationError(
            "lat",
            _("Latitude %(lat)s is outside Brazil (%(min)s to %(max)s).")
            % {"lat": lat_f, "min": LAT_MIN, "max": LAT_MAX},
        )
    if not LON_MIN <= lon_f <= LON_MAX:
        raise LocationError(
            "lon",
            _("Longitude %(lon)s is outside Brazil (%(min)s to %(max)s).")
            % {"lon": lon_f, "min": LON_MIN, "max": LON_MAX},
        )
    return lat_f, lon_f


def _state_validate(state) -> str:
    uf = str(state or "").strip().upper()
    if uf not in {m.uf for m in capitals()}:
        raise LocationError("state", _("Unknown state “%(state)s”.") % {"state": state})
    return uf


def municipality_find(*, name: str, uf: str | None = None, ibge: str | None = None) -> Municipality | None:
    if ibge:
        match = next((m for m in municipalities() if m.ibge == str(ibge).strip()), None)
        if match:
            return match
    folded = _fold(name)
    matches = [m for m in municipalities() if _fold(m.name) == folded and (uf is None or m.uf == uf)]
    return matches[0] if len(matches) == 1 else None


def _cep_state(cep: str) -> str | None:
    prefix = int(cep[:5])
    return next((uf for low, high, uf in CEP_RANGES if low <= prefix <= high), None)


def location_resolve(
    *,
    lat=None,
    lon=None,
    cep: str | None = None,
    city: str | None = None,
    state: str | None = None,
    viacep: ViaCepClient | None = None,
) -> Location:
    """Resolve one of: ``lat`` + ``lon``, ``cep``, or ``city`` (+ ``state``). See the module doc."""
    has_lat = lat not in (None, "")
    has_lon = lon not in (None, "")
    if has_lat or has_lon:
        if not has_lat:
            raise LocationError("lat", _("Give the latitude together with the longitude."))
        if not has_lon:
            raise LocationError("lon", _("Give the longitude together with the latitude."))
        lat_f, lon_f = coordinates_validate(lat=lat, lon=lon)
        uf = _state_validate(state) if state else None
        return Location(lat=lat_f, lon=lon_f, city=city or None, state=uf, source="coordinates")

    if cep not in (None, ""):
        try:
            normalized = cep_normalize(cep)
        except CepInvalid:
            raise LocationError("cep", _("A CEP has 8 digits, e.g. 01001-000.")) from None
        try:
            address = (viacep or ViaCepClient()).lookup(normalized)
        except CepInvalid:
            raise LocationError("cep", _("A CEP has 8 digits, e.g. 01001-000.")) from None
        except CepNotFound:
            raise LocationError("cep", _("CEP %(cep)s was not found.") % {"cep": normalized}) from None
        except ViaCepUnavailable:
            uf = _cep_state(normalized)
            if uf is None:
                raise LocationError("cep", _("CEP %(cep)s was not found.") % {"cep": normalized}) from None
            capital = capital_of(uf)
            return Location(
                lat=capital.lat,
                lon=capital.lon,
                city=None,
                state=uf,
                source="cep-range",
                ibge=None,
                note=_(
                    "CEP lookup service unavailable: state %(uf)s inferred from the CEP range; "
                    "coordinates of the capital %(capital)s used."
                )
                % {"uf": uf, "capital": capital.name},
            )
        found = municipality_find(name=address.city, uf=address.uf, ibge=address.ibge)
        if found is not None:
            return Location(
                lat=found.lat,
                lon=found.lon,
                city=address.city,
                state=address.uf,
                source="viacep",
                ibge=address.ibge or found.ibge,
                note=_("Coordinates of the municipality seat of %(city)s.") % {"city": found.name},
            )
        capital = capital_of(address.uf)
        return Location(
            lat=capital.lat,
            lon=capital.lon,
            city=address.city,
            state=address.uf,
            source="viacep",
            ibge=address.ibge or None,
            note=_(
                "%(city)s is not in the shipped municipality table: coordinates of the state capital "
                "%(capital)s used."
            )
            % {"city": address.city, "capital": capital.name},
        )

    if city not in (None, "") and str(city).strip():
        uf = _state_validate(state) if state else None
        found = municipality_find(name=str(city), uf=uf)
        if found is None:
            if uf is None and any(_fold(m.name) == _fold(str(city)) for m in municipalities()):
                raise LocationError("state", _("Several municipalities have this name: give the state."))
            raise LocationError(
                "city",
                _("Unknown city “%(city)s”: use the CEP or the coordinates instead.") % {"city": city},
            )
        return Location(
            lat=found.lat,
            lon=found.lon,
            city=found.name,
            state=found.uf,
            source="city",
            ibge=found.ibge or None,
            note=_("Coordinates of the municipality seat of %(city)s.") % {"city": found.name},
        )

    raise LocationError("location", _("Give the coordinates (lat, lon), a CEP or a city and state."))

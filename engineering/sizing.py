"""System sizing with real catalog products.

1. **Target size**: the energy to offset is the consumption above the minimum billing (never
   compensated) × the target offset; kWp = that energy / the site's specific yield (kWh/kWp/year).
2. **Module**: active catalog modules with the electrical data needed for string design and a price,
   in stock first, cheapest R$/Wp first (the five best are tried).
3. **Inverter(s)**: active string/hybrid inverters of the connection's phases. For each inverter and
   count, every string length inside the voltage window is tried with the number of equal strings
   that reaches the module count; a configuration is valid when every check passes:

   * ``voc_cold``: string Voc at the coldest expected cell temperature (a clear dawn at the site's
     design minimum ambient, cell = ambient) ≤ the inverter's maximum DC voltage;
   * ``vmp_hot``: string Vmp at the hot cell temperature (design maximum ambient + the module's NOCT
     rise at 1,000 W/m²) ≥ the MPPT minimum (and the start voltage);
   * ``vmp_cold``: string Vmp at the cold cell temperature ≤ the MPPT maximum;
   * ``current``: strings in parallel on one MPPT × Imp ≤ the MPPT input current (up to 25% above is a
     warning: the inverter limits the current and clips a little; more fails), and × Isc ≤ the
     short-circuit limit when the datasheet gives one;
   * ``string_count``: strings ≤ MPPTs × strings per MPPT × inverters;
   * ``dc_ac``: DC/AC ratio inside the bounds (default 0.9–1.35);
   * ``max_dc_power``: DC power ≤ the inverter's maximum DC power when given;
   * ``phases``: a three-phase inverter cannot go on a single/two-phase connection.

   The cheapest valid configuration (inverters + modules, in-stock first) that reaches the target wins.
4. **Roof**: area needed = modules × module area × spacing factor; when the roof is smaller the module
   count is reduced to what fits (a warning, the offset drops), and fails when not even one string fits.

Every check is returned with its numbers, and when nothing is valid ``SizingError`` (400) says which
checks failed for the closest candidates. Vmp's temperature coefficient is rarely on datasheets: the
Pmax coefficient stands in for it (it is close and slightly conservative).

**Topology.** ``system_design(topology=...)`` designs with string inverters (``"string"``, the
default), micro-inverters (``"micro"``) or both, keeping the cheapest valid design by R$/Wp
(``"auto"``; in-stock first). A micro-inverter unit takes ``inputs_per_unit`` modules, one per input
(the catalog's ``modules_per_unit``; without it the MPPT count, as each micro MPPT serves one
module; else 1). Each module × micro pair is checked at the same site temperatures as a string of
one module:

* ``voc_cold``: module Voc at the cold cell ≤ the micro's maximum DC (input) voltage;
* ``vmp_hot`` / ``vmp_cold``: module Vmp at the hot / cold cell inside the MPPT window;
* ``start_voltage``: module Voc at the hot cell ≥ the start-up voltage (a micro starts from an open
  circuit, so the lowest Voc of the year must still wake it);
* ``current``: module Imp ≤ the input current (up to 25% above is a clipping warning, as for strings);
  ``short_circuit``: Isc ≤ the input short-circuit limit when the datasheet gives one, else Isc above
  the input current is a warning to confirm on the datasheet (micros take an Isc above their
  operating current; the catalog rarely carries the short-circuit figure);
* ``input_power``: module Wp ≤ the maximum power per input (``max_input_power_w``, else the unit's
  maximum DC power ÷ inputs);
* ``dc_ac``: DC/AC of a fully populated unit (inputs × Wp ÷ AC W) inside the bounds;
* ``leftover_inputs``: inputs left empty in the last unit (a warning: the system DC/AC drops);
* ``ac_branch``: units per AC trunk branch circuit — the datasheet's ``max_units_per_branch``, else
  ``BRANCH_CURRENT_A`` ÷ the unit's AC current (an assumption, said in the check), giving the number
  of branch circuits;
* ``phases``: a three-phase micro cannot go on a single/two-phase connection.

Units = ceil(modules ÷ inputs per unit); the modules are never rounded up to fill the last unit.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from ysh.errors import DomainError

T_STC = 25.0
DEFAULT_TC_VOC_PCT = -0.29
DEFAULT_TC_PMAX_PCT = -0.35
DEFAULT_NOCT_C = 45.0
DEFAULT_MODULE_AREA_M2 = 2.58  # 2,278 × 1,134 mm, the common 72-half-cell format
SPACING_FACTOR = 1.10  # gaps between modules and to the roof edges on a pitched roof
DC_AC_MIN = 0.9
DC_AC_MAX = 1.35
DC_AC_TARGET = 1.2
CURRENT_TOLERANCE = 0.25
MAX_INVERTERS = 6
MODULES_TRIED = 5
#: AC current per micro-inverter trunk branch when the datasheet gives no units-per-branch limit:
#: a 25 A breaker on 4 mm² cable (NBR 5410), loaded to 80% as a continuous load.
BRANCH_CURRENT_A = 20.0
DEFAULT_GRID_VOLTAGE_V = 220.0


class Topology(models.TextChoices):
    AUTO = "auto", gettext_lazy("automatic (cheapest valid design)")
    STRING = "string", gettext_lazy("string inverter")
    MICRO = "micro", gettext_lazy("micro-inverters")


# Plain strings for dict keys (an enum member hashes by its name, not its value).
AUTO, STRING, MICRO = Topology.AUTO.value, Topology.STRING.value, Topology.MICRO.value

#: Design ambient temperatures (°C) per state: (minimum on a clear winter dawn, summer maximum).
#: Estimates from INMET climate normals, rounded to the safe side; overridable per analysis.
STATE_DESIGN_TEMPERATURES: dict[str, tuple[float, float]] = {
    "RS": (-4, 38), "SC": (-4, 36), "PR": (-3, 36), "SP": (1, 37), "MS": (1, 40), "MG": (1, 37),
    "RJ": (6, 40), "ES": (8, 38), "GO": (5, 38), "DF": (3, 35), "MT": (6, 41), "BA": (10, 37),
    "TO": (12, 41), "SE": (18, 35), "AL": (18, 35), "PE": (16, 36), "PB": (17, 36), "RN": (18, 36),
    "CE": (18, 37), "PI": (16, 41), "MA": (18, 39), "PA": (19, 38), "AP": (20, 36), "AM": (18, 39),
    "RR": (18, 39), "RO": (9, 39), "AC": (8, 39),
}  # fmt: skip
DEFAULT_DESIGN_TEMPERATURES = (0.0, 40.0)


class SizingError(DomainError):
    code = "sizing_failed"
    default_message = gettext_lazy("No valid system configuration was found.")


class CatalogEmpty(SizingError):
    code = "catalog_empty"


# --- inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteTemperatures:
    min_ambient_c: float
    max_ambient_c: float
    cold_cell_c: float
    hot_cell_c: float
    source: str


def site_temperatures(
    *,
    state: str | None,
    t_min_c: float | None = None,
    t_max_c: float | None = None,
    noct_c: float | None = None,
) -> SiteTemperatures:
    low, high = STATE_DESIGN_TEMPERATURES.get((state or "").upper(), DEFAULT_DESIGN_TEMPERATURES)
    source = f"state:{state.upper()}" if state and state.upper() in STATE_DESIGN_TEMPERATURES else "default"
    if t_min_c is not None or t_max_c is not None:
        source = "input"
    low = low if t_min_c is None else t_min_c
    high = high if t_max_c is None else t_max_c
    noct = noct_c or DEFAULT_NOCT_C
    # Cell temperature at 1,000 W/m²: ambient + (NOCT − 20) × 1000/800.
    return SiteTemperatures(
        min_ambient_c=low,
        max_ambient_c=high,
        cold_cell_c=low,
        hot_cell_c=round(high + (noct - 20) * 1000 / 800, 1),
        source=source,
    )


def _num(specs: dict[str, Any], key: str) -> float | None:
    value = specs.get(key)
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class ModuleData:
    id: int | None
    name: str
    power_w: float
    voc_v: float
    vmp_v: float
    imp_a: float | None = None
    isc_a: float | None = None
    tc_voc_pct: float = DEFAULT_TC_VOC_PCT
    tc_vmp_pct: float = DEFAULT_TC_PMAX_PCT
    length_mm: float | None = None
    width_mm: float | None = None
    noct_c: float | None = None
    price: float | None = None
    in_stock: bool = True
    brand: str = ""
    assumed: tuple[str, ...] = ()

    @property
    def area_m2(self) -> float:
        if self.length_mm and self.width_mm:
            return self.length_mm * self.width_mm / 1e6
        return DEFAULT_MODULE_AREA_M2

    def voc_at(self, cell_c: float) -> float:
        return self.voc_v * (1 + self.tc_voc_pct / 100 * (cell_c - T_STC))

    def vmp_at(self, cell_c: float) -> float:
        return self.vmp_v * (1 + self.tc_vmp_pct / 100 * (cell_c - T_STC))

    @classmethod
    def from_specs(cls, specs: dict[str, Any], **extra) -> ModuleData | None:
        power, voc, vmp = _num(specs, "power_w"), _num(specs, "voc_v"), _num(specs, "vmp_v")
        if not (power and voc and vmp):
            return None
        assumed = []
        tc_voc = _num(specs, "temp_coeff_voc_pct")
        if tc_voc is None:
            tc_voc, assumed = DEFAULT_TC_VOC_PCT, [*assumed, "temp_coeff_voc_pct"]
        tc_vmp = _num(specs, "temp_coeff_pmax_pct")
        if tc_vmp is None:
            tc_vmp, assumed = DEFAULT_TC_PMAX_PCT, [*assumed, "temp_coeff_pmax_pct"]
        return cls(
            power_w=power,
            voc_v=voc,
            vmp_v=vmp,
            imp_a=_num(specs, "imp_a"),
            isc_a=_num(specs, "isc_a"),
            tc_voc_pct=tc_voc,
            tc_vmp_pct=tc_vmp,
            length_mm=_num(specs, "length_mm"),
            width_mm=_num(specs, "width_mm"),
            noct_c=_num(specs, "noct_c"),
            assumed=tuple(assumed),
            **extra,
        )


@dataclass(frozen=True)
class InverterData:
    id: int | None
    name: str
    ac_power_w: float
    mppt_min_v: float
    mppt_max_v: float
    max_dc_voltage_v: float
    mppt_count: int = 1
    strings_per_mppt: int = 1
    max_input_current_a: float | None = None
    max_short_circuit_current_a: float | None = None
    start_voltage_v: float | None = None
    max_dc_power_w: float | None = None
    phases: int | None = None
    efficiency_pct: float | None = None
    price: float | None = None
    in_stock: bool = True
    brand: str = ""

    @classmethod
    def from_specs(cls, specs: dict[str, Any], **extra) -> InverterData | None:
        ac = _num(specs, "ac_power_w")
        low, high = _num(specs, "mppt_min_v"), _num(specs, "mppt_max_v")
        max_dc = _num(specs, "max_dc_voltage_v") or high
        if not (ac and low and high and max_dc) or specs.get("inverter_type") in ("micro", "off-grid"):
            return None
        phases = extra.pop("phases", None) or _num(specs, "phases")
        return cls(
            ac_power_w=ac,
            mppt_min_v=low,
            mppt_max_v=high,
            max_dc_voltage_v=max_dc,
            mppt_count=int(_num(specs, "mppt_count") or 1),
            strings_per_mppt=int(_num(specs, "strings_per_mppt") or 1),
            max_input_current_a=_num(specs, "max_input_current_a"),
            max_short_circuit_current_a=_num(specs, "max_short_circuit_current_a"),
            start_voltage_v=_num(specs, "start_voltage_v"),
            max_dc_power_w=_num(specs, "max_dc_power_w"),
            phases=int(phases) if phases else None,
            efficiency_pct=_num(specs, "efficiency_pct"),
            **extra,
        )


@dataclass(frozen=True)
class MicroInverterData:
    """One micro-inverter model: its AC power and limits per unit, and per input (one module each)."""

    id: int | None
    name: str
    ac_power_w: float
    inputs_per_unit: int
    mppt_min_v: float
    mppt_max_v: float
    max_dc_voltage_v: float
    max_input_current_a: float | None = None
    max_short_circuit_current_a: float | None = None
    start_voltage_v: float | None = None
    max_dc_power_w: float | None = None
    max_input_power_w: float | None = None
    max_units_per_branch: int | None = None
    grid_voltage_v: float = DEFAULT_GRID_VOLTAGE_V
    phases: int | None = None
    efficiency_pct: float | None = None
    price: float | None = None
    in_stock: bool = True
    brand: str = ""
    assumed: tuple[str, ...] = ()

    @property
    def ac_current_a(self) -> float:
        """AC output current per phase at the grid voltage (line-to-line for three-phase units)."""
        if self.phases == 3:
            return self.ac_power_w / (math.sqrt(3) * self.grid_voltage_v)
        return self.ac_power_w / self.grid_voltage_v

    @property
    def units_per_branch(self) -> int:
        if self.max_units_per_branch:
            return self.max_units_per_branch
        return max(1, math.floor(BRANCH_CURRENT_A / self.ac_current_a + 1e-9))

    @classmethod
    def from_specs(cls, specs: dict[str, Any], **extra) -> MicroInverterData | None:
        """From ``Product.specs`` of a micro-inverter; None without AC power and the MPPT window, or
        when the specs say it is another kind of inverter."""
        if specs.get("inverter_type") not in (None, "", "micro"):
            return None
        ac = _num(specs, "ac_power_w")
        low, high = _num(specs, "mppt_min_v"), _num(specs, "mppt_max_v")
        if not (ac and low and high):
            return None
        assumed = []
        max_dc = _num(specs, "max_dc_voltage_v")
        if max_dc is None:
            max_dc, assumed = high, [*assumed, "max_dc_voltage_v"]
        inputs = _num(specs, "modules_per_unit")
        if not inputs:
            # One module per MPPT is how micros are wired; a datasheet without either is 1 input.
            inputs, assumed = _num(specs, "mppt_count") or 1, [*assumed, "modules_per_unit"]
        inputs = max(1, int(inputs))
        max_dc_power = _num(specs, "max_dc_power_w")
        per_input = _num(specs, "max_input_power_w")
        if per_input is None and max_dc_power:
            per_input = max_dc_power / inputs
        per_branch = _num(specs, "max_units_per_branch")
        if not per_branch:
            assumed = [*assumed, "max_units_per_branch"]
        grid = _num(specs, "grid_voltage_v")
        phases = extra.pop("phases", None) or _num(specs, "phases")
        return cls(
            ac_power_w=ac,
            inputs_per_unit=inputs,
            mppt_min_v=low,
            mppt_max_v=high,
            max_dc_voltage_v=max_dc,
            max_input_current_a=_num(specs, "max_input_current_a"),
            max_short_circuit_current_a=_num(specs, "max_short_circuit_current_a"),
            start_voltage_v=_num(specs, "start_voltage_v"),
            max_dc_power_w=max_dc_power,
            max_input_power_w=per_input,
            max_units_per_branch=int(per_branch) if per_branch else None,
            grid_voltage_v=grid or DEFAULT_GRID_VOLTAGE_V,
            phases=int(phases) if phases else None,
            efficiency_pct=_num(specs, "efficiency_pct"),
            assumed=tuple(assumed),
            **extra,
        )


# --- checks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    code: str
    status: str  # pass | warn | fail
    detail: str
    value: float | None = None
    limit: float | None = None

    @property
    def failed(self) -> bool:
        return self.status == "fail"


def _silent(message: str) -> str:
    return ""


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def configuration_checks(
    *,
    module: ModuleData,
    inverter: InverterData,
    inverter_count: int,
    modules_per_string: int,
    strings: int,
    temps: SiteTemperatures,
    connection_type: str | None = None,
    dc_ac_min: float = DC_AC_MIN,
    dc_ac_max: float = DC_AC_MAX,
    explain: bool = True,
) -> list[Check]:
    """Every electrical check of ``strings`` equal strings of ``modules_per_string`` modules on
    ``inverter_count`` × ``inverter``, each with its numbers. ``explain=False`` skips the texts
    (the search tries thousands of configurations; only the ones shown are explained)."""
    # Same name as the module-level gettext, so makemessages still extracts the texts below.
    _ = gettext if explain else _silent
    n = modules_per_string
    checks: list[Check] = []
    voc_cold = n * module.voc_at(temps.cold_cell_c)
    checks.append(
        Check(
            "voc_cold",
            "pass" if voc_cold <= inverter.max_dc_voltage_v else "fail",
            _("String Voc at %(t)s °C: %(n)s × %(v)s V = %(total)s V; inverter maximum DC voltage %(max)s V.")
            % {
                "t": _fmt(temps.cold_cell_c, 0),
                "n": n,
                "v": _fmt(module.voc_at(temps.cold_cell_c), 2),
                "total": _fmt(voc_cold),
                "max": _fmt(inverter.max_dc_voltage_v, 0),
            },
            round(voc_cold, 1),
            inverter.max_dc_voltage_v,
        )
    )
    vmp_hot = n * module.vmp_at(temps.hot_cell_c)
    floor_v = max(inverter.mppt_min_v, inverter.start_voltage_v or 0)
    checks.append(
        Check(
            "vmp_hot",
            "pass" if vmp_hot >= floor_v else "fail",
            _("String Vmp at %(t)s °C (hot cell): %(total)s V; MPPT minimum %(min)s V.")
            % {"t": _fmt(temps.hot_cell_c, 0), "total": _fmt(vmp_hot), "min": _fmt(floor_v, 0)},
            round(vmp_hot, 1),
            floor_v,
        )
    )
    vmp_cold = n * module.vmp_at(temps.cold_cell_c)
    checks.append(
        Check(
            "vmp_cold",
            "pass" if vmp_cold <= inverter.mppt_max_v else "fail",
            _("String Vmp at %(t)s °C (cold cell): %(total)s V; MPPT maximum %(max)s V.")
            % {"t": _fmt(temps.cold_cell_c, 0), "total": _fmt(vmp_cold), "max": _fmt(inverter.mppt_max_v, 0)},
            round(vmp_cold, 1),
            inverter.mppt_max_v,
        )
    )
    inputs = inverter_count * inverter.mppt_count
    capacity = inputs * inverter.strings_per_mppt
    checks.append(
        Check(
            "string_count",
            "pass" if strings <= capacity else "fail",
            _(
                "%(s)s string(s) on %(k)s inverter(s) × %(m)s MPPT × %(p)s string(s) per MPPT "
                "= %(cap)s inputs."
            )
            % {
                "s": strings,
                "k": inverter_count,
                "m": inverter.mppt_count,
                "p": inverter.strings_per_mppt,
                "cap": capacity,
            },
            strings,
            capacity,
        )
    )
    parallel = max(1, math.ceil(strings / inputs))
    if inverter.max_input_current_a and module.imp_a:
        current = parallel * module.imp_a
        ratio = current / inverter.max_input_current_a
        status = "pass" if ratio <= 1 else ("warn" if ratio <= 1 + CURRENT_TOLERANCE else "fail")
        checks.append(
            Check(
                "current",
                status,
                _(
                    "%(p)s string(s) in parallel × Imp %(imp)s A = %(total)s A per MPPT; "
                    "input limit %(max)s A."
                )
                % {
                    "p": parallel,
                    "imp": _fmt(module.imp_a, 2),
                    "total": _fmt(current, 2),
                    "max": _fmt(inverter.max_input_current_a),
                }
                + (
                    " " + _("The inverter limits the current: small clipping at peak.")
                    if status == "warn"
                    else ""
                ),
                round(current, 2),
                inverter.max_input_current_a,
            )
        )
    if inverter.max_short_circuit_current_a and module.isc_a:
        isc = parallel * module.isc_a
        checks.append(
            Check(
                "short_circuit",
                "pass" if isc <= inverter.max_short_circuit_current_a else "fail",
                _("%(p)s × Isc %(isc)s A = %(total)s A per MPPT; short-circuit limit %(max)s A.")
                % {
                    "p": parallel,
                    "isc": _fmt(module.isc_a, 2),
                    "total": _fmt(isc, 2),
                    "max": _fmt(inverter.max_short_circuit_current_a),
                },
                round(isc, 2),
                inverter.max_short_circuit_current_a,
            )
        )
    dc_w = n * strings * module.power_w
    ac_w = inverter_count * inverter.ac_power_w
    ratio = dc_w / ac_w
    checks.append(
        Check(
            "dc_ac",
            "pass" if dc_ac_min <= ratio <= dc_ac_max else "fail",
            _("DC/AC ratio %(dc)s Wp / %(ac)s W = %(r)s; accepted %(lo)s–%(hi)s.")
            % {
                "dc": _fmt(dc_w, 0),
                "ac": _fmt(ac_w, 0),
                "r": _fmt(ratio, 2),
                "lo": dc_ac_min,
                "hi": dc_ac_max,
            },
            round(ratio, 3),
            dc_ac_max,
        )
    )
    if inverter.max_dc_power_w:
        limit = inverter_count * inverter.max_dc_power_w
        checks.append(
            Check(
                "max_dc_power",
                "pass" if dc_w <= limit else "fail",
                _("DC power %(dc)s Wp; inverter maximum DC input %(max)s W.")
                % {"dc": _fmt(dc_w, 0), "max": _fmt(limit, 0)},
                dc_w,
                limit,
            )
        )
    return checks + _phases_check(connection_type, inverter.phases, _)


def _phases_check(connection_type: str | None, phases: int | None, _) -> list[Check]:
    if connection_type in ("mono", "bi") and phases == 3:
        return [
            Check(
                "phases",
                "fail",
                _("A three-phase inverter cannot be connected to a single/two-phase service."),
                3,
                2,
            )
        ]
    return []


def micro_checks(
    *,
    module: ModuleData,
    micro: MicroInverterData,
    module_count: int,
    temps: SiteTemperatures,
    connection_type: str | None = None,
    dc_ac_min: float = DC_AC_MIN,
    dc_ac_max: float = DC_AC_MAX,
    explain: bool = True,
) -> list[Check]:
    """Every check of ``module_count`` modules on ``micro`` units, one module per input (see the
    module doc), each with its numbers."""
    _ = gettext if explain else _silent
    k = micro.inputs_per_unit
    units = max(1, math.ceil(module_count / k))
    checks: list[Check] = []
    voc_cold = module.voc_at(temps.cold_cell_c)
    checks.append(
        Check(
            "voc_cold",
            "pass" if voc_cold <= micro.max_dc_voltage_v else "fail",
            _("Module Voc at %(t)s °C: %(v)s V; micro-inverter maximum input voltage %(max)s V.")
            % {
                "t": _fmt(temps.cold_cell_c, 0),
                "v": _fmt(voc_cold, 2),
                "max": _fmt(micro.max_dc_voltage_v, 0),
            },
            round(voc_cold, 2),
            micro.max_dc_voltage_v,
        )
    )
    vmp_hot = module.vmp_at(temps.hot_cell_c)
    checks.append(
        Check(
            "vmp_hot",
            "pass" if vmp_hot >= micro.mppt_min_v else "fail",
            _("Module Vmp at %(t)s °C (hot cell): %(v)s V; MPPT minimum %(min)s V.")
            % {"t": _fmt(temps.hot_cell_c, 0), "v": _fmt(vmp_hot, 2), "min": _fmt(micro.mppt_min_v, 0)},
            round(vmp_hot, 2),
            micro.mppt_min_v,
        )
    )
    vmp_cold = module.vmp_at(temps.cold_cell_c)
    checks.append(
        Check(
            "vmp_cold",
            "pass" if vmp_cold <= micro.mppt_max_v else "fail",
            _("Module Vmp at %(t)s °C (cold cell): %(v)s V; MPPT maximum %(max)s V.")
            % {"t": _fmt(temps.cold_cell_c, 0), "v": _fmt(vmp_cold, 2), "max": _fmt(micro.mppt_max_v, 0)},
            round(vmp_cold, 2),
            micro.mppt_max_v,
        )
    )
    if micro.start_voltage_v:
        voc_hot = module.voc_at(temps.hot_cell_c)
        checks.append(
            Check(
                "start_voltage",
                "pass" if voc_hot >= micro.start_voltage_v else "fail",
                _("Module Voc at %(t)s °C (hot cell): %(v)s V; micro-inverter start-up voltage %(min)s V.")
                % {
                    "t": _fmt(temps.hot_cell_c, 0),
                    "v": _fmt(voc_hot, 2),
                    "min": _fmt(micro.start_voltage_v, 0),
                },
                round(voc_hot, 2),
                micro.start_voltage_v,
            )
        )
    if micro.max_input_current_a and module.imp_a:
        ratio = module.imp_a / micro.max_input_current_a
        status = "pass" if ratio <= 1 else ("warn" if ratio <= 1 + CURRENT_TOLERANCE else "fail")
        checks.append(
            Check(
                "current",
                status,
                _("Module Imp %(imp)s A; micro-inverter input limit %(max)s A.")
                % {"imp": _fmt(module.imp_a, 2), "max": _fmt(micro.max_input_current_a)}
                + (
                    " " + _("The micro-inverter limits the current: small clipping at peak.")
                    if status == "warn"
                    else ""
                ),
                module.imp_a,
                micro.max_input_current_a,
            )
        )
    if module.isc_a and micro.max_short_circuit_current_a:
        checks.append(
            Check(
                "short_circuit",
                "pass" if module.isc_a <= micro.max_short_circuit_current_a else "fail",
                _("Module Isc %(isc)s A; micro-inverter input short-circuit limit %(max)s A.")
                % {"isc": _fmt(module.isc_a, 2), "max": _fmt(micro.max_short_circuit_current_a)},
                module.isc_a,
                micro.max_short_circuit_current_a,
            )
        )
    elif module.isc_a and micro.max_input_current_a:
        over = module.isc_a > micro.max_input_current_a
        checks.append(
            Check(
                "short_circuit",
                "warn" if over else "pass",
                _("Module Isc %(isc)s A; micro-inverter input current %(max)s A.")
                % {"isc": _fmt(module.isc_a, 2), "max": _fmt(micro.max_input_current_a)}
                + (
                    " "
                    + _(
                        "The catalog has no input short-circuit limit for this micro-inverter: "
                        "confirm on its datasheet that it accepts this Isc."
                    )
                    if over
                    else ""
                ),
                module.isc_a,
                micro.max_input_current_a,
            )
        )
    if micro.max_input_power_w:
        checks.append(
            Check(
                "input_power",
                "pass" if module.power_w <= micro.max_input_power_w else "fail",
                _("Module %(wp)s Wp; micro-inverter maximum %(max)s W per input.")
                % {"wp": _fmt(module.power_w, 0), "max": _fmt(micro.max_input_power_w, 0)},
                module.power_w,
                round(micro.max_input_power_w, 1),
            )
        )
    unit_ratio = k * module.power_w / micro.ac_power_w
    checks.append(
        Check(
            "dc_ac",
            "pass" if dc_ac_min <= unit_ratio <= dc_ac_max else "fail",
            _("DC/AC per unit %(k)s × %(wp)s Wp / %(ac)s W = %(r)s; accepted %(lo)s–%(hi)s.")
            % {
                "k": k,
                "wp": _fmt(module.power_w, 0),
                "ac": _fmt(micro.ac_power_w, 0),
                "r": _fmt(unit_ratio, 2),
                "lo": dc_ac_min,
                "hi": dc_ac_max,
            },
            round(unit_ratio, 3),
            dc_ac_max,
        )
    )
    leftover = units * k - module_count
    checks.append(
        Check(
            "leftover_inputs",
            "warn" if leftover else "pass",
            _(
                "%(m)s modules on %(u)s unit(s) × %(k)s inputs: %(left)s input(s) left empty; "
                "system DC/AC %(r)s."
            )
            % {
                "m": module_count,
                "u": units,
                "k": k,
                "left": leftover,
                "r": _fmt(module_count * module.power_w / (units * micro.ac_power_w), 2),
            },
            leftover,
            0,
        )
    )
    per_branch = micro.units_per_branch
    branches = math.ceil(units / per_branch)
    source = (
        _("datasheet limit")
        if micro.max_units_per_branch
        else _("assumed: %(a)s A per branch ÷ %(i)s A per unit")
        % {"a": _fmt(BRANCH_CURRENT_A, 0), "i": _fmt(micro.ac_current_a, 2)}
    )
    checks.append(
        Check(
            "ac_branch",
            "pass",
            _("%(u)s unit(s) on %(b)s AC branch circuit(s) of up to %(p)s units (%(source)s).")
            % {"u": units, "b": branches, "p": per_branch, "source": source},
            units,
            branches * per_branch,
        )
    )
    return checks + _phases_check(connection_type, micro.phases, _)


# --- design ----------------------------------------------------------------------------------------


@dataclass
class Design:
    module: ModuleData
    inverter: InverterData
    inverter_count: int
    modules_per_string: int
    strings: int
    checks: list[Check]
    temps: SiteTemperatures
    topology: ClassVar[str] = Topology.STRING.value
    micro_layout: ClassVar[None] = None

    @property
    def module_count(self) -> int:
        return self.modules_per_string * self.strings

    @property
    def dc_kwp(self) -> float:
        return self.module_count * self.module.power_w / 1000

    @property
    def ac_kw(self) -> float:
        return self.inverter_count * self.inverter.ac_power_w / 1000

    @property
    def dc_ac_ratio(self) -> float:
        return self.dc_kwp / self.ac_kw

    @property
    def equipment_cost(self) -> float:
        return self.module_count * (self.module.price or 0) + self.inverter_count * (self.inverter.price or 0)

    @property
    def strings_layout(self) -> list[dict]:
        """Strings spread over the inverters' MPPTs, round-robin."""
        inputs = self.inverter_count * self.inverter.mppt_count
        per_input = [0] * inputs
        for s in range(self.strings):
            per_input[s % inputs] += 1
        layout = []
        for index, count in enumerate(per_input):
            if count:
                layout.append(
                    {
                        "inverter": index // self.inverter.mppt_count + 1,
                        "mppt": index % self.inverter.mppt_count + 1,
                        "strings": count,
                        "modules_per_string": self.modules_per_string,
                    }
                )
        return layout


@dataclass
class MicroDesign:
    """``inverter_count`` units of a micro-inverter, one module per input. Same reading interface as
    ``Design`` (module, inverter, counts, kW, DC/AC, cost), so the analysis and its costs need no
    branch; ``micro_layout`` describes the units instead of strings."""

    module: ModuleData
    inverter: MicroInverterData
    inverter_count: int
    modules: int
    checks: list[Check]
    temps: SiteTemperatures
    topology: ClassVar[str] = Topology.MICRO.value
    modules_per_string: ClassVar[None] = None
    strings: ClassVar[None] = None

    @property
    def module_count(self) -> int:
        return self.modules

    @property
    def dc_kwp(self) -> float:
        return self.modules * self.module.power_w / 1000

    @property
    def ac_kw(self) -> float:
        return self.inverter_count * self.inverter.ac_power_w / 1000

    @property
    def dc_ac_ratio(self) -> float:
        return self.dc_kwp / self.ac_kw

    @property
    def equipment_cost(self) -> float:
        return self.modules * (self.module.price or 0) + self.inverter_count * (self.inverter.price or 0)

    @property
    def leftover_inputs(self) -> int:
        return self.inverter_count * self.inverter.inputs_per_unit - self.modules

    @property
    def strings_layout(self) -> list[dict]:
        return []

    @property
    def micro_layout(self) -> dict:
        """Units grouped by how many modules they carry, and the AC branch circuits (units spread
        evenly, each branch within the units-per-branch limit)."""
        k = self.inverter.inputs_per_unit
        full, rest = divmod(self.modules, k)
        groups = [{"units": full, "modules_per_unit": k}] if full else []
        if rest:
            groups.append({"units": 1, "modules_per_unit": rest})
        per_branch = self.inverter.units_per_branch
        branch_count = math.ceil(self.inverter_count / per_branch)
        base, extra = divmod(self.inverter_count, branch_count)
        return {
            "units": self.inverter_count,
            "inputs_per_unit": k,
            "modules": self.modules,
            "leftover_inputs": self.leftover_inputs,
            "groups": groups,
            "max_units_per_branch": per_branch,
            "branch_limit_source": "datasheet" if self.inverter.max_units_per_branch else "assumed",
            "branch_circuits": branch_count,
            "branches": [base + (1 if i < extra else 0) for i in range(branch_count)],
        }


def _string_range(module: ModuleData, inverter: InverterData, temps: SiteTemperatures) -> tuple[int, int]:
    by_voc = math.floor(inverter.max_dc_voltage_v / module.voc_at(temps.cold_cell_c))
    by_window = math.floor(inverter.mppt_max_v / module.vmp_at(temps.cold_cell_c))
    floor_v = max(inverter.mppt_min_v, inverter.start_voltage_v or 0)
    low = max(1, math.ceil(floor_v / module.vmp_at(temps.hot_cell_c)))
    return low, min(by_voc, by_window)


def design_search(
    *,
    module: ModuleData,
    inverter: InverterData,
    module_count: int,
    temps: SiteTemperatures,
    connection_type: str | None = None,
    dc_ac_min: float = DC_AC_MIN,
    dc_ac_max: float = DC_AC_MAX,
    max_modules: int | None = None,
) -> tuple[Design | None, list[Check]]:
    """The best valid configuration with at least ``module_count`` modules (at most ``max_modules``
    when the roof limits it), or None and the checks of the closest attempt (fewest failures)."""
    low, high = _string_range(module, inverter, temps)
    best: tuple[tuple, Design] | None = None
    closest: tuple[int, dict] | None = None
    lengths = range(low, high + 1) if low <= high else [max(1, min(module_count, high if high >= 1 else 1))]
    for count in range(1, MAX_INVERTERS + 1):
        for n in lengths:
            strings = max(1, math.ceil(module_count / n))
            if max_modules is not None and n * strings > max_modules:
                strings = max_modules // n
                if strings < 1:
                    continue
            config = {
                "module": module,
                "inverter": inverter,
                "inverter_count": count,
                "modules_per_string": n,
                "strings": strings,
                "temps": temps,
                "connection_type": connection_type,
                "dc_ac_min": dc_ac_min,
                "dc_ac_max": dc_ac_max,
            }
            checks = configuration_checks(**config, explain=False)
            failures = sum(1 for c in checks if c.failed)
            if failures:
                if closest is None or failures < closest[0]:
                    closest = (failures, config)
                continue
            design = Design(module, inverter, count, n, strings, checks, temps)
            warnings = sum(1 for c in checks if c.status == "warn")
            key = (design.equipment_cost, warnings, abs(design.dc_ac_ratio - DC_AC_TARGET))
            if best is None or key < best[0]:
                best = (key, design)
        if best is not None:
            break  # fewer inverters first
    if best is not None:
        design = best[1]
        design.checks = configuration_checks(
            module=module,
            inverter=inverter,
            inverter_count=design.inverter_count,
            modules_per_string=design.modules_per_string,
            strings=design.strings,
            temps=temps,
            connection_type=connection_type,
            dc_ac_min=dc_ac_min,
            dc_ac_max=dc_ac_max,
        )
        return design, design.checks
    if closest is not None:
        return None, configuration_checks(**closest[1])
    return None, [
        Check(
            "roof_area",
            "fail",
            _("Not even one string of %(n)s modules fits the roof.") % {"n": low},
            max_modules,
            low,
        )
    ]


def micro_design_search(
    *,
    module: ModuleData,
    micro: MicroInverterData,
    module_count: int,
    temps: SiteTemperatures,
    connection_type: str | None = None,
    dc_ac_min: float = DC_AC_MIN,
    dc_ac_max: float = DC_AC_MAX,
    max_modules: int | None = None,
) -> tuple[MicroDesign | None, list[Check]]:
    """``module_count`` modules (at most ``max_modules``) on as many ``micro`` units as they need,
    or None and the failed checks. The pair's checks do not depend on the count, so there is
    nothing to search but the roof limit."""
    if max_modules is not None:
        if max_modules < 1:
            return None, [Check("roof_area", "fail", _("Not even one module fits the roof."), max_modules, 1)]
        module_count = min(module_count, max_modules)
    config = {
        "module": module,
        "micro": micro,
        "module_count": module_count,
        "temps": temps,
        "connection_type": connection_type,
        "dc_ac_min": dc_ac_min,
        "dc_ac_max": dc_ac_max,
    }
    checks = micro_checks(**config)
    if any(c.failed for c in checks):
        return None, checks
    units = math.ceil(module_count / micro.inputs_per_unit)
    return MicroDesign(module, micro, units, module_count, checks, temps), checks


def target_kwp(*, monthly_kwh: list[float], min_kwh: int, offset_pct: float, specific_yield: float) -> float:
    """kWp that offsets ``offset_pct`` of the compensable consumption (above the minimum billing)."""
    if specific_yield <= 0:
        raise SizingError(_("The site's specific yield must be positive."))
    compensable = sum(max(0.0, m - min_kwh) for m in monthly_kwh)
    return compensable * offset_pct / 100 / specific_yield


@dataclass
class SizingResult:
    target_kwp: float
    design: Design | MicroDesign
    roof_area_needed_m2: float
    roof_area_available_m2: float | None
    roof_limited: bool
    candidates_evaluated: int
    warnings: list[str] = field(default_factory=list)
    #: With ``topology="auto"``: the best design of the other topology, or why it has none.
    alternatives: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = self.design
        return {
            "topology": d.topology,
            "target_kwp": round(self.target_kwp, 3),
            "dc_kwp": round(d.dc_kwp, 3),
            "ac_kw": round(d.ac_kw, 3),
            "dc_ac_ratio": round(d.dc_ac_ratio, 3),
            "module_count": d.module_count,
            "module": asdict(d.module) | {"area_m2": round(d.module.area_m2, 3)},
            "inverter": asdict(d.inverter),
            "inverter_count": d.inverter_count,
            "modules_per_string": d.modules_per_string,
            "strings": d.strings,
            "strings_layout": d.strings_layout,
            "micro_layout": d.micro_layout,
            "temperatures": asdict(d.temps),
            "checks": [asdict(c) for c in d.checks],
            "roof_area_needed_m2": round(self.roof_area_needed_m2, 1),
            "roof_area_available_m2": self.roof_area_available_m2,
            "roof_limited": self.roof_limited,
            "equipment_cost": round(d.equipment_cost, 2),
            "equipment_cost_per_wp": round(_cost_per_wp(d), 4),
            "modules_cost": round(d.module_count * (d.module.price or 0), 2),
            "inverters_cost": round(d.inverter_count * (d.inverter.price or 0), 2),
            "candidates_evaluated": self.candidates_evaluated,
            "warnings": self.warnings,
            "alternatives": self.alternatives,
        }


def _cost_per_wp(design: Design | MicroDesign) -> float:
    return design.equipment_cost / (design.dc_kwp * 1000)


def _in_stock(design: Design | MicroDesign) -> bool:
    return design.module.in_stock and design.inverter.in_stock


def _main_failure(failures: list[dict]) -> str:
    codes = Counter(c["code"] for f in failures for c in f["failed"])
    return codes.most_common(1)[0][0] if codes else "unknown"


def system_design(
    *,
    modules: list[ModuleData],
    inverters: list[InverterData],
    kwp: float,
    temps: SiteTemperatures,
    connection_type: str | None = None,
    roof_area_m2: float | None = None,
    spacing_factor: float = SPACING_FACTOR,
    dc_ac_min: float = DC_AC_MIN,
    dc_ac_max: float = DC_AC_MAX,
    micro_inverters: list[MicroInverterData] | None = None,
    topology: str = Topology.STRING,
) -> SizingResult:
    """Pick the cheapest valid configuration for ``kwp`` with string ``inverters``, with
    ``micro_inverters`` or, for ``topology="auto"``, the cheaper of both by R$/Wp (see the module
    doc)."""
    if topology not in Topology.values:
        raise SizingError(
            _("Unknown system topology."),
            extra={"topology": [_("Choose string, micro or auto.")]},
        )
    micro_inverters = micro_inverters or []
    use_string = topology in (STRING, AUTO)
    use_micro = topology in (MICRO, AUTO)
    if not modules:
        raise CatalogEmpty(
            _(
                "The catalog has no active PV module with price and electrical data "
                "(Wp, Voc, Vmp) to size with."
            )
        )
    if topology == STRING and not inverters:
        raise CatalogEmpty(
            _("The catalog has no active string inverter with price and MPPT data to size with.")
        )
    if topology == MICRO and not micro_inverters:
        raise CatalogEmpty(
            _("The catalog has no active micro-inverter with price and MPPT data to size with.")
        )
    if topology == AUTO and not (inverters or micro_inverters):
        raise CatalogEmpty(
            _(
                "The catalog has no active string inverter or micro-inverter with price and MPPT "
                "data to size with."
            )
        )
    if kwp <= 0:
        raise SizingError(
            _("The consumption to offset is zero: nothing to size."),
            extra={"consumption": [_("Consumption above the minimum billing is needed.")]},
        )
    best: dict[str, tuple[tuple, SizingResult]] = {}
    failures: dict[str, list[dict]] = {STRING: [], MICRO: []}
    evaluated = 0
    for module in modules[:MODULES_TRIED]:
        count = max(1, math.ceil(kwp * 1000 / module.power_w - 1e-9))
        per_module = module.area_m2 * spacing_factor
        max_modules = None
        warnings = []
        if roof_area_m2 is not None:
            max_modules = math.floor(roof_area_m2 / per_module)
            if max_modules < count:
                warnings.append(
                    _(
                        "The roof holds %(fit)s of the %(count)s modules needed; "
                        "the system was reduced to fit."
                    )
                    % {"fit": max_modules, "count": count}
                )
                count = max(1, max_modules)
        searches = [(STRING, inverter) for inverter in (inverters if use_string else [])]
        searches += [(MICRO, micro) for micro in (micro_inverters if use_micro else [])]
        for kind, inverter in searches:
            evaluated += 1
            common = {
                "module": module,
                "module_count": count,
                "temps": temps,
                "connection_type": connection_type,
                "dc_ac_min": dc_ac_min,
                "dc_ac_max": dc_ac_max,
                "max_modules": max_modules,
            }
            if kind == STRING:
                design, checks = design_search(inverter=inverter, **common)
            else:
                design, checks = micro_design_search(micro=inverter, **common)
            if design is None:
                failures[kind].append(
                    {
                        "topology": kind,
                        "module": module.name,
                        "inverter": inverter.name,
                        "failed": [asdict(c) for c in checks if c.failed],
                    }
                )
                continue
            result = SizingResult(
                target_kwp=kwp,
                design=design,
                roof_area_needed_m2=design.module_count * per_module,
                roof_area_available_m2=roof_area_m2,
                roof_limited=bool(warnings),
                candidates_evaluated=0,
                warnings=[*warnings, *(c.detail for c in checks if c.status == "warn")],
            )
            # Every candidate reaches the target (or the roof limit): the cheapest system wins, not
            # the cheapest per Wp, which would favour oversizing past what the units can compensate.
            key = (
                not _in_stock(design),
                round(design.equipment_cost, 2),
                abs(design.dc_kwp - kwp),
                abs(design.dc_ac_ratio - DC_AC_TARGET),
            )
            if kind not in best or key < best[kind][0]:
                best[kind] = (key, result)
    if not best:
        raise _no_valid_design(topology, failures, inverters=inverters, micro_inverters=micro_inverters)
    # Across topologies the designs differ in module count (strings round up to equal strings,
    # micros do not), so they are compared per Wp; in-stock first, strings first on a tie.
    ranked = sorted(
        best.items(),
        key=lambda item: (
            not _in_stock(item[1][1].design),
            round(_cost_per_wp(item[1][1].design), 4),
            item[0] != STRING,
        ),
    )
    result = ranked[0][1][1]
    result.candidates_evaluated = evaluated
    if topology == AUTO:
        result.alternatives = [_alternative(kind, entry[1]) for kind, entry in ranked[1:]]
        for kind in (STRING, MICRO):
            if kind not in best and failures[kind]:
                result.alternatives.append(
                    {
                        "topology": kind,
                        "valid": False,
                        "failed_check": _main_failure(failures[kind]),
                        "candidates": failures[kind][:3],
                    }
                )
    return result


def _alternative(kind: str, result: SizingResult) -> dict:
    d = result.design
    return {
        "topology": kind,
        "valid": True,
        "module": d.module.name,
        "module_count": d.module_count,
        "inverter": d.inverter.name,
        "inverter_count": d.inverter_count,
        "dc_kwp": round(d.dc_kwp, 3),
        "equipment_cost": round(d.equipment_cost, 2),
        "equipment_cost_per_wp": round(_cost_per_wp(d), 4),
    }


def _no_valid_design(
    topology: str,
    failures: dict[str, list[dict]],
    *,
    inverters: list[InverterData],
    micro_inverters: list[MicroInverterData],
) -> SizingError:
    if topology == STRING:
        main = _main_failure(failures[STRING])
        return SizingError(
            _("No module and inverter combination passes the checks; the most common failure is %(check)s.")
            % {"check": main},
            extra={"failed_check": main, "candidates": failures[STRING][:5]},
        )
    if topology == MICRO:
        main = _main_failure(failures[MICRO])
        return SizingError(
            _(
                "No module and micro-inverter combination passes the checks; the most common "
                "failure is %(check)s."
            )
            % {"check": main},
            extra={"failed_check": main, "candidates": failures[MICRO][:5]},
        )
    everything = failures[STRING] + failures[MICRO]
    by_topology = {
        kind: _main_failure(failures[kind])
        for kind, tried in ((STRING, inverters), (MICRO, micro_inverters))
        if tried
    }
    return SizingError(
        _(
            "Neither string inverters nor micro-inverters give a valid configuration; the most common "
            "failures are %(string)s (string inverters) and %(micro)s (micro-inverters)."
        )
        % {
            "string": by_topology.get(STRING, _("none in the catalog")),
            "micro": by_topology.get(MICRO, _("none in the catalog")),
        },
        extra={
            "failed_check": _main_failure(everything),
            "failed_check_by_topology": by_topology,
            "candidates": failures[STRING][:3] + failures[MICRO][:3],
        },
    )


# --- catalog ---------------------------------------------------------------------------------------


def _price(product) -> float | None:
    return float(product.min_price) if product.min_price is not None else None


def catalog_modules(*, module_id: int | None = None) -> list[ModuleData]:
    """Active modules with electrical data and a price: in stock first, then cheapest R$/Wp."""
    from catalog.models import Product
    from catalog.models.taxonomy import ProductKind

    queryset = Product.objects.filter(kind=ProductKind.MODULE, is_active=True, min_price__isnull=False)
    if module_id is not None:
        queryset = queryset.filter(pk=module_id)
    rows = []
    for product in queryset.select_related("brand").only(
        "id", "name", "specs", "min_price", "in_stock", "brand__name"
    ):
        data = ModuleData.from_specs(
            product.specs or {},
            id=product.id,
            name=product.name,
            price=_price(product),
            in_stock=product.in_stock,
            brand=product.brand.name,
        )
        if data is not None:
            rows.append(data)
    rows.sort(key=lambda m: (not m.in_stock, (m.price or 0) / m.power_w, m.id or 0))
    return rows


def catalog_inverters(
    *, inverter_id: int | None = None, connection_type: str | None = None
) -> list[InverterData]:
    from catalog.models import Product
    from catalog.models.taxonomy import ProductKind

    queryset = Product.objects.filter(kind=ProductKind.INVERTER, is_active=True, min_price__isnull=False)
    if inverter_id is not None:
        queryset = queryset.filter(pk=inverter_id)
    elif connection_type in ("mono", "bi"):
        queryset = queryset.exclude(phases=3)
    rows = []
    fields = ("id", "name", "specs", "min_price", "in_stock", "phases", "brand__name")
    for product in queryset.select_related("brand").only(*fields):
        data = InverterData.from_specs(
            product.specs or {},
            id=product.id,
            name=product.name,
            price=_price(product),
            in_stock=product.in_stock,
            phases=product.phases,
            brand=product.brand.name,
        )
        if data is not None:
            rows.append(data)
    rows.sort(key=lambda i: (not i.in_stock, i.price or 0, i.id or 0))
    return rows


def catalog_micro_inverters(
    *, micro_id: int | None = None, connection_type: str | None = None
) -> list[MicroInverterData]:
    """Active micro-inverters with a price and their MPPT window (the micro-inverter kind, and
    inverters whose specs say ``inverter_type: micro``): in stock first, then cheapest R$ per AC W."""
    from django.db.models import Q

    from catalog.models import Product
    from catalog.models.taxonomy import ProductKind

    queryset = Product.objects.filter(
        Q(kind=ProductKind.MICROINVERTER) | Q(kind=ProductKind.INVERTER, specs__inverter_type="micro"),
        is_active=True,
        min_price__isnull=False,
    )
    if micro_id is not None:
        queryset = queryset.filter(pk=micro_id)
    elif connection_type in ("mono", "bi"):
        queryset = queryset.exclude(phases=3)
    rows = []
    fields = ("id", "name", "specs", "min_price", "in_stock", "phases", "brand__name")
    for product in queryset.select_related("brand").only(*fields):
        data = MicroInverterData.from_specs(
            product.specs or {},
            id=product.id,
            name=product.name,
            price=_price(product),
            in_stock=product.in_stock,
            phases=product.phases,
            brand=product.brand.name,
        )
        if data is not None:
            rows.append(data)
    rows.sort(key=lambda m: (not m.in_stock, (m.price or 0) / m.ac_power_w, m.id or 0))
    return rows


def decimal_or_none(value) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))

"""Electrical compatibility of a PV module with an inverter or micro-inverter.

String sizing as integrators do it by hand:

* the string's open-circuit voltage on the coldest morning (cell at ``T_COLD`` = 5 °C, Voc rises
  with the module's Voc temperature coefficient) must stay below the inverter's maximum DC
  voltage, and its MPP voltage at cold below the MPPT window's top;
* its MPP voltage on a hot afternoon (cell at ``T_HOT`` = 70 °C) must stay above the MPPT
  window's bottom;
* the MPP current of the strings in parallel on one MPPT must not exceed its input current;
* the DC/AC ratio (modules' Wp over the inverter's AC W) must be between 0.8 and 1.35.

``string_design`` returns the configuration (modules per string × strings) closest to a DC/AC
ratio of 1.15 that satisfies all of it, or None.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

T_STC = 25.0
T_COLD = 5.0
T_HOT = 70.0
DC_AC_MIN = 0.8
DC_AC_MAX = 1.35
DC_AC_TARGET = 1.15
# Typical coefficients of crystalline modules, used when a datasheet value is missing.
DEFAULT_TC_VOC_PCT = -0.29
DEFAULT_TC_PMAX_PCT = -0.35


@dataclass(frozen=True)
class StringDesign:
    modules_per_string: int
    strings: int
    modules: int
    #: Inverters needed (1 for a string inverter; micro-inverters take ``strings`` modules each).
    units: int
    dc_power_w: float
    dc_ac_ratio: float
    string_voc_cold_v: float
    string_vmp_hot_v: float
    min_modules_per_string: int
    max_modules_per_string: int
    assumed: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["assumed"] = list(self.assumed)
        return data


def _f(specs: dict[str, Any], key: str) -> float | None:
    value = specs.get(key)
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class ModuleElectrical:
    power_w: float
    voc_cold_v: float
    vmp_cold_v: float
    vmp_hot_v: float
    imp_a: float | None
    assumed: tuple[str, ...]


def module_electrical(module: dict[str, Any]) -> ModuleElectrical | None:
    """Voltages of one module at the design temperatures; None without Wp, Voc and Vmp."""
    power, voc, vmp = _f(module, "power_w"), _f(module, "voc_v"), _f(module, "vmp_v")
    if not (power and voc and vmp):
        return None
    assumed = []
    tc_voc = _f(module, "temp_coeff_voc_pct")
    if tc_voc is None:
        tc_voc, assumed = DEFAULT_TC_VOC_PCT, [*assumed, "temp_coeff_voc_pct"]
    # The Pmax coefficient stands in for Vmp's, as datasheets rarely give the latter.
    tc_vmp = _f(module, "temp_coeff_pmax_pct")
    if tc_vmp is None:
        tc_vmp, assumed = DEFAULT_TC_PMAX_PCT, [*assumed, "temp_coeff_pmax_pct"]
    return ModuleElectrical(
        power_w=power,
        voc_cold_v=voc * (1 + tc_voc / 100 * (T_COLD - T_STC)),
        vmp_cold_v=vmp * (1 + tc_vmp / 100 * (T_COLD - T_STC)),
        vmp_hot_v=vmp * (1 + tc_vmp / 100 * (T_HOT - T_STC)),
        imp_a=_f(module, "imp_a"),
        assumed=tuple(assumed),
    )


def string_design(
    *, module: dict[str, Any], inverter: dict[str, Any], module_count: int | None = None
) -> StringDesign | None:
    """The best string configuration of ``module`` on the string inverter ``inverter`` (both
    spec dicts as stored in ``Product.specs``), optionally for exactly ``module_count`` modules."""
    electrical = module_electrical(module)
    ac_power = _f(inverter, "ac_power_w")
    mppt_min, mppt_max = _f(inverter, "mppt_min_v"), _f(inverter, "mppt_max_v")
    max_dc = _f(inverter, "max_dc_voltage_v") or mppt_max
    if electrical is None or not (ac_power and mppt_min and mppt_max and max_dc):
        return None
    max_by_voltage = math.floor(max_dc / electrical.voc_cold_v)
    max_by_window = math.floor(mppt_max / electrical.vmp_cold_v)
    n_max = min(max_by_voltage, max_by_window)
    n_min = max(1, math.ceil(max(mppt_min, _f(inverter, "start_voltage_v") or 0) / electrical.vmp_hot_v))
    if n_min > n_max:
        return None
    mppts = int(_f(inverter, "mppt_count") or 1)
    per_mppt = int(_f(inverter, "strings_per_mppt") or 1)
    max_current = _f(inverter, "max_input_current_a")
    if max_current and electrical.imp_a:
        per_mppt = min(per_mppt, math.floor(max_current / electrical.imp_a))
        if per_mppt < 1:
            return None
    max_strings = mppts * per_mppt
    best: tuple[float, int, int] | None = None
    for n in range(n_min, n_max + 1):
        for strings in range(1, max_strings + 1):
            modules = n * strings
            if module_count is not None and modules != module_count:
                continue
            ratio = modules * electrical.power_w / ac_power
            if not DC_AC_MIN <= ratio <= DC_AC_MAX:
                continue
            candidate = (abs(ratio - DC_AC_TARGET), strings, n)
            if best is None or candidate < best:
                best = candidate
    if best is None:
        return None
    _, strings, n = best
    modules = n * strings
    return StringDesign(
        modules_per_string=n,
        strings=strings,
        modules=modules,
        units=1,
        dc_power_w=round(modules * electrical.power_w, 1),
        dc_ac_ratio=round(modules * electrical.power_w / ac_power, 3),
        string_voc_cold_v=round(n * electrical.voc_cold_v, 1),
        string_vmp_hot_v=round(n * electrical.vmp_hot_v, 1),
        min_modules_per_string=n_min,
        max_modules_per_string=n_max,
        assumed=electrical.assumed,
    )


def micro_design(
    *, module: dict[str, Any], micro: dict[str, Any], module_count: int | None = None
) -> StringDesign | None:
    """One module per micro-inverter input: voltages inside the input window, current within
    the input limit, and the DC/AC ratio of a fully populated unit within bounds. With
    ``module_count``, as many units as those modules need (``strings`` stays the inputs of
    one unit)."""
    electrical = module_electrical(module)
    ac_power = _f(micro, "ac_power_w")
    inputs = int(_f(micro, "modules_per_unit") or _f(micro, "mppt_count") or 1)
    mppt_min, mppt_max = _f(micro, "mppt_min_v"), _f(micro, "mppt_max_v")
    max_dc = _f(micro, "max_dc_voltage_v") or mppt_max
    if electrical is None or not (ac_power and mppt_min and mppt_max and max_dc):
        return None
    if electrical.voc_cold_v > max_dc or electrical.vmp_cold_v > mppt_max or electrical.vmp_hot_v < mppt_min:
        return None
    max_current = _f(micro, "max_input_current_a")
    if max_current and electrical.imp_a and electrical.imp_a > max_current:
        return None
    ratio = inputs * electrical.power_w / ac_power
    if not DC_AC_MIN <= ratio <= DC_AC_MAX:
        return None
    modules = module_count or inputs
    units = math.ceil(modules / inputs)
    return StringDesign(
        modules_per_string=1,
        strings=inputs,
        modules=modules,
        units=units,
        dc_power_w=round(modules * electrical.power_w, 1),
        dc_ac_ratio=round(modules * electrical.power_w / (units * ac_power), 3),
        string_voc_cold_v=round(electrical.voc_cold_v, 1),
        string_vmp_hot_v=round(electrical.vmp_hot_v, 1),
        min_modules_per_string=1,
        max_modules_per_string=1,
        assumed=electrical.assumed,
    )

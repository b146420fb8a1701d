"""Typed technical specs per product kind.

``Product.specs`` is JSON; these pydantic models are its schema. ``specs_validate`` returns the
cleaned dict plus the list of problems, so an absurd value (a 0 W or 50,000 W module) is rejected
with a reason instead of stored. Bounds are physical plausibility limits for products sold in
Brazil's DG market, not marketing ranges.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from catalog.models.taxonomy import ProductKind

Pos = Annotated[float, Field(gt=0)]


class _Specs(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class ModuleSpecs(_Specs):
    power_w: Annotated[float, Field(ge=5, le=800, description="STC nominal power (Wp)")]
    efficiency_pct: Annotated[float | None, Field(ge=5, le=30)] = None
    length_mm: Annotated[float | None, Field(ge=200, le=3000)] = None
    width_mm: Annotated[float | None, Field(ge=200, le=1600)] = None
    thickness_mm: Annotated[float | None, Field(ge=3, le=60)] = None
    weight_kg: Annotated[float | None, Field(ge=0.5, le=60)] = None
    voc_v: Annotated[float | None, Field(ge=1, le=120)] = None
    isc_a: Annotated[float | None, Field(ge=0.1, le=25)] = None
    vmp_v: Annotated[float | None, Field(ge=1, le=100)] = None
    imp_a: Annotated[float | None, Field(ge=0.1, le=25)] = None
    temp_coeff_pmax_pct: Annotated[float | None, Field(ge=-1, le=0)] = None
    temp_coeff_voc_pct: Annotated[float | None, Field(ge=-1, le=0)] = None
    temp_coeff_isc_pct: Annotated[float | None, Field(ge=0, le=0.2)] = None
    noct_c: Annotated[float | None, Field(ge=30, le=60)] = None
    cell_type: Literal["mono", "poly", "n-type", "topcon", "hjt", "ibc", "perc", "thin-film"] | None = None
    cells: Annotated[int | None, Field(ge=1, le=250)] = None
    half_cell: bool | None = None
    bifacial: bool | None = None
    max_system_voltage_v: Annotated[float | None, Field(ge=50, le=1500)] = None

    @model_validator(mode="after")
    def _electrically_consistent(self):
        if self.vmp_v and self.voc_v and self.vmp_v >= self.voc_v:
            raise ValueError("Vmp must be lower than Voc")
        if self.imp_a and self.isc_a and self.imp_a > self.isc_a:
            raise ValueError("Imp must not exceed Isc")
        if self.vmp_v and self.imp_a and abs(self.vmp_v * self.imp_a - self.power_w) > 0.1 * self.power_w:
            raise ValueError("Vmp × Imp does not match the nominal power")
        return self


class InverterSpecs(_Specs):
    ac_power_w: Annotated[float, Field(ge=100, le=350_000)]
    max_dc_power_w: Annotated[float | None, Field(ge=100, le=600_000)] = None
    mppt_count: Annotated[int | None, Field(ge=1, le=40)] = None
    strings_per_mppt: Annotated[int | None, Field(ge=1, le=10)] = None
    mppt_min_v: Annotated[float | None, Field(ge=10, le=1500)] = None
    mppt_max_v: Annotated[float | None, Field(ge=10, le=1500)] = None
    max_dc_voltage_v: Annotated[float | None, Field(ge=20, le=1500)] = None
    start_voltage_v: Annotated[float | None, Field(ge=10, le=1500)] = None
    max_input_current_a: Annotated[float | None, Field(ge=1, le=100)] = None
    phases: Literal[1, 2, 3] | None = None
    grid_voltage_v: Annotated[int | None, Field(ge=110, le=800)] = None
    efficiency_pct: Annotated[float | None, Field(ge=80, le=99.9)] = None
    inverter_type: Literal["string", "hybrid", "micro", "off-grid"] = "string"
    battery_voltage: Literal["low", "high"] | None = None

    @model_validator(mode="after")
    def _window(self):
        if self.mppt_min_v and self.mppt_max_v and self.mppt_min_v >= self.mppt_max_v:
            raise ValueError("MPPT minimum voltage must be below the maximum")
        if self.mppt_max_v and self.max_dc_voltage_v and self.mppt_max_v > self.max_dc_voltage_v:
            raise ValueError("MPPT maximum voltage exceeds the maximum DC voltage")
        return self


class MicroinverterSpecs(InverterSpecs):
    ac_power_w: Annotated[float, Field(ge=100, le=3000)]
    inverter_type: Literal["micro"] = "micro"
    modules_per_unit: Annotated[int | None, Field(ge=1, le=8)] = None


class BatterySpecs(_Specs):
    capacity_kwh: Annotated[float, Field(gt=0.1, le=1000)]
    usable_kwh: Annotated[float | None, Field(gt=0, le=1000)] = None
    chemistry: Literal["lfp", "nmc", "lead-acid", "gel", "agm", "other"] | None = None
    nominal_voltage_v: Annotated[float | None, Field(ge=2, le=1000)] = None
    cycles: Annotated[int | None, Field(ge=100, le=20_000)] = None
    dod_pct: Annotated[float | None, Field(ge=10, le=100)] = None
    weight_kg: Annotated[float | None, Field(ge=0.5, le=2000)] = None


class StructureSpecs(_Specs):
    roof_type: str | None = None
    modules_supported: Annotated[int | None, Field(ge=1, le=100)] = None
    material: str | None = None


class StringBoxSpecs(_Specs):
    inputs: Annotated[int | None, Field(ge=1, le=40)] = None
    outputs: Annotated[int | None, Field(ge=1, le=40)] = None
    max_voltage_v: Annotated[float | None, Field(ge=50, le=1500)] = None
    max_current_a: Annotated[float | None, Field(ge=1, le=400)] = None


class CableSpecs(_Specs):
    section_mm2: Annotated[float | None, Field(ge=0.5, le=300)] = None
    length_m: Annotated[float | None, Field(ge=0.1, le=5000)] = None
    color: str | None = None
    voltage_rating_v: Annotated[float | None, Field(ge=100, le=3000)] = None


class KitSpecs(_Specs):
    power_kwp: Annotated[float, Field(gt=0, le=5000)]
    module_count: Annotated[int | None, Field(ge=1, le=20_000)] = None
    inverter_count: Annotated[int | None, Field(ge=1, le=500)] = None
    roof_type: str | None = None
    phases: Literal[1, 2, 3] | None = None
    grid_voltage_v: Annotated[int | None, Field(ge=110, le=800)] = None


class OtherSpecs(_Specs):
    pass


SPEC_MODELS: dict[str, type[_Specs]] = {
    ProductKind.MODULE: ModuleSpecs,
    ProductKind.INVERTER: InverterSpecs,
    ProductKind.MICROINVERTER: MicroinverterSpecs,
    ProductKind.BATTERY: BatterySpecs,
    ProductKind.STRUCTURE: StructureSpecs,
    ProductKind.STRING_BOX: StringBoxSpecs,
    ProductKind.CABLE: CableSpecs,
    ProductKind.CONNECTOR: OtherSpecs,
    ProductKind.CHARGE_CONTROLLER: OtherSpecs,
    ProductKind.KIT: KitSpecs,
    ProductKind.OTHER: OtherSpecs,
}

#: The spec fields whose presence counts for the coverage report, per kind.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    ProductKind.MODULE: (
        "power_w",
        "efficiency_pct",
        "voc_v",
        "isc_a",
        "vmp_v",
        "imp_a",
        "temp_coeff_pmax_pct",
        "length_mm",
        "width_mm",
        "weight_kg",
        "cell_type",
        "bifacial",
    ),
    ProductKind.INVERTER: (
        "ac_power_w",
        "mppt_count",
        "mppt_min_v",
        "mppt_max_v",
        "max_dc_voltage_v",
        "phases",
        "grid_voltage_v",
        "efficiency_pct",
        "inverter_type",
    ),
    ProductKind.MICROINVERTER: (
        "ac_power_w",
        "mppt_count",
        "mppt_min_v",
        "mppt_max_v",
        "grid_voltage_v",
        "efficiency_pct",
    ),
    ProductKind.BATTERY: ("capacity_kwh", "chemistry", "nominal_voltage_v", "cycles"),
    ProductKind.KIT: ("power_kwp", "module_count", "inverter_count"),
}


def specs_validate(kind: str, specs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate ``specs`` for ``kind``. Returns (clean specs, errors); on errors the clean specs
    keep only the fields that were valid on their own."""
    model = SPEC_MODELS.get(kind, OtherSpecs)
    data = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in (specs or {}).items() if v is not None}
    try:
        return model.model_validate(data).model_dump(exclude_none=True), []
    except ValidationError as exc:
        errors = []
        bad_fields = set()
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "specs"
            bad_fields.add(err["loc"][0] if err["loc"] else None)
            errors.append(f"{loc}: {err['msg']}")
        kept = {k: v for k, v in data.items() if k not in bad_fields}
        return kept, errors


def specs_coverage(kind: str, specs: dict[str, Any]) -> float:
    """Share (0–1) of the kind's key spec fields that are filled."""
    fields = KEY_FIELDS.get(kind)
    if not fields:
        return 1.0
    return sum(1 for f in fields if specs.get(f) not in (None, "")) / len(fields)

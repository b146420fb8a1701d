"""The data passed between pipeline stages."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class SourceRecord:
    """One listing as fetched: the exact text received for it (a JSON object, an HTML fragment,
    a CSV row, an XML element) and where it came from."""

    external_id: str
    raw: str
    source_url: str = ""


@dataclass
class WarehouseStock:
    code: str
    name: str = ""
    state: str = ""
    city: str = ""
    stock: int | None = None
    price: Decimal | None = None  # overrides the listing price for this warehouse
    lead_time_days: int | None = None


@dataclass
class ListingData:
    """What an adapter read from a SourceRecord, still in the distributor's words."""

    external_id: str
    title: str
    price: Decimal | None = None
    brand: str = ""
    model: str = ""
    category: str = ""
    description: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    datasheet_url: str = ""
    url: str = ""
    inmetro: str = ""
    warranty: str = ""
    warehouses: list[WarehouseStock] = field(default_factory=list)
    components: list[tuple[str, int]] = field(default_factory=list)  # kits: (title or code, quantity)


@dataclass
class NormalizedListing:
    """A listing in our terms: kind, canonical brand, model key, typed specs, BRL price."""

    external_id: str
    kind: str
    category_slug: str
    brand_name: str
    brand_known: bool
    model_code: str
    model_key: str
    title: str
    name: str
    price: Decimal | None
    description: str = ""
    specs: dict[str, Any] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    datasheet_url: str = ""
    url: str = ""
    inmetro_registration: str = ""
    inmetro_valid_until: str = ""  # ISO date
    ence_class: str = ""
    warranty_years: int | None = None
    performance_warranty_years: int | None = None
    warehouses: list[WarehouseStock] = field(default_factory=list)
    components: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

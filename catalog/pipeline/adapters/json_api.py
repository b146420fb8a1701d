"""Paginated JSON REST API (Fortlev): ``GET <feed_url>?page=N&per_page=M`` with a bearer token,
``{"data": [...], "meta": {...}, "links": {"next": url|null}}``.

Each listing's raw text is the object exactly as received (cut out of the page, not
re-serialized). A page that breaks off mid-way still gives the listings before the break; the
rest is reported and the next page is found from ``meta.total_pages``.

Options (``Distributor.feed_options``): ``token`` (bearer), ``per_page`` (100), ``max_pages``.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from json.decoder import scanstring
from typing import Any

import httpx

from catalog.distributor_http import DistributorClient, FeedFormatError
from catalog.models.taxonomy import FeedFormat
from catalog.pipeline.adapters.base import FeedAdapter, ListingParseError, absolute, same_site
from catalog.pipeline.adapters.numbers import brl_price, whole_number
from catalog.pipeline.types import ListingData, SourceRecord, WarehouseStock

_decoder = json.JSONDecoder()
_WS = " \t\n\r"


@dataclass
class ScannedPage:
    items: list[tuple[str, Any]] = field(default_factory=list)  # (exact text, decoded value)
    meta: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)
    error: str = ""
    tail: str = ""  # the text from where reading stopped


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WS:
        index += 1
    return index


def scan_page(text: str) -> ScannedPage:
    """Reads ``{"data": [...], "meta": ..., "links": ...}`` keeping each item's exact text and
    every complete item before a syntax error."""
    page = ScannedPage()
    i = _skip(text, 0)
    try:
        if text[i] != "{":
            raise ValueError("the page is not a JSON object")
        i = _skip(text, i + 1)
        while text[i] != "}":
            if text[i] != '"':
                raise ValueError("expected a key")
            key, i = scanstring(text, i + 1)
            i = _skip(text, i)
            if text[i] != ":":
                raise ValueError("expected ':'")
            i = _skip(text, i + 1)
            if key == "data" and text[i] == "[":
                i = _skip(text, i + 1)
                while text[i] != "]":
                    value, end = _decoder.raw_decode(text, i)
                    page.items.append((text[i:end], value))
                    i = _skip(text, end)
                    if text[i] == ",":
                        i = _skip(text, i + 1)
                    elif text[i] != "]":
                        raise ValueError("expected ',' or ']' in data")
                i += 1
            else:
                value, i = _decoder.raw_decode(text, i)
                if key in ("meta", "links") and isinstance(value, dict):
                    setattr(page, key, value)
            i = _skip(text, i)
            if text[i] == ",":
                i = _skip(text, i + 1)
            elif text[i] != "}":
                raise ValueError("expected ',' or '}'")
    except (IndexError, ValueError) as exc:
        if isinstance(exc, IndexError) or not text.rstrip().endswith("}"):
            page.error = f"the page ends abruptly at character {len(text)}"
        else:
            page.error = f"malformed JSON at character {i}: {exc}"
        page.tail = text[i:]
    return page


def _with_page(url: str, page: int) -> str:
    return str(httpx.URL(url).copy_set_param("page", page))


class JsonApiAdapter(FeedAdapter):
    feed_format = FeedFormat.JSON_API

    def records(self, distributor, client: DistributorClient) -> Iterator[SourceRecord]:
        options = {**(distributor.feed_options or {}), **self.options}
        headers = {"Accept": "application/json"}
        if options.get("token"):
            headers["Authorization"] = f"Bearer {options['token']}"
        per_page = int(options.get("per_page", 100))
        max_pages = int(options.get("max_pages", 10_000))
        url: str | None = str(
            httpx.URL(distributor.feed_url).copy_merge_params({"page": 1, "per_page": per_page})
        )
        number, total_pages, visited = 1, None, set()
        api_site, total, received = "", None, 0
        while url and number <= max_pages:
            if url in visited:
                self.problem(f"pagination loops back to {url}", url=url, lost=True)
                return
            visited.add(url)
            response = self.get(client, url, headers=headers)
            api_site = api_site or response.url  # the API's host, after redirects
            page = scan_page(response.text("utf-8"))
            if page.error and not page.items and number == 1 and not page.meta:
                raise FeedFormatError(f"page 1 is not the expected JSON: {page.error}", url=url)
            received += len(page.items)
            for index, (text, value) in enumerate(page.items):
                external_id = _external_id(value) or f"page-{number}-item-{index + 1}"
                link = value.get("url") if isinstance(value, dict) else None
                product_url = absolute(response.url, link) if isinstance(link, str) else ""
                yield SourceRecord(external_id=external_id, raw=text, source_url=product_url or response.url)
            total_pages = total_pages or page.meta.get("total_pages")
            total = total if total is not None else page.meta.get("total")
            next_url = page.links.get("next")
            if page.error:
                self.problem(
                    f"page {number}: {page.error}; {len(page.items)} listings read before it",
                    url=url,
                    raw=page.tail,
                    lost=True,
                )
                if next_url is None and isinstance(total_pages, int) and number < total_pages:
                    next_url = _with_page(url, number + 1)
            url = absolute(response.url, next_url) if isinstance(next_url, str) else None
            if url and not same_site(url, api_site):
                self.problem(f"next page on another host not followed: {url}", url=response.url, lost=True)
                return
            number += 1
        if url:
            self.problem(f"stopped after {max_pages} pages (max_pages)", url=url, lost=True)
        elif self.report.complete and isinstance(total, int) and received < total:
            self.problem(f"the API announced {total} listings and sent {received}", lost=True)

    def parse(self, record: SourceRecord) -> ListingData:
        try:
            obj = json.loads(record.raw, parse_float=Decimal)
        except ValueError as exc:
            raise ListingParseError(f"listing is not valid JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise ListingParseError("listing is not a JSON object")
        title = _text(obj.get("name", obj.get("title")), "name").strip()
        if not title:
            raise ListingParseError("missing title", field="name")
        price = obj.get("price")
        if isinstance(price, dict):
            price = price.get("amount", price.get("value"))
        currency = _text(obj.get("currency"), "currency") or "BRL"
        if currency.upper() != "BRL":
            raise ListingParseError(f"price in {currency}, expected BRL", field="currency")
        attributes = _attributes(obj.get("attributes"))
        base = record.source_url
        return ListingData(
            external_id=record.external_id,
            title=title,
            price=brl_price(price),
            brand=_named(obj.get("brand"), "brand"),
            model=_text(obj.get("mpn", obj.get("manufacturer_part_number")), "mpn").strip(),
            category=_category(obj.get("category")),
            description=_text(obj.get("description"), "description").strip(),
            attributes=attributes,
            images=[absolute(base, _text(src, "images")) for src in _list(obj.get("images"), "images")],
            datasheet_url=absolute(base, _text(obj.get("datasheet_url"), "datasheet_url")),
            url=absolute(base, _text(obj.get("url"), "url")) or base,
            inmetro=attributes.get("Registro INMETRO", ""),
            warranty=_text(obj.get("warranty"), "warranty").strip(),
            warehouses=[_warehouse(entry) for entry in _list(obj.get("stock"), "stock")],
            components=[_component(entry) for entry in _list(obj.get("kit_components"), "kit_components")],
        )


def _external_id(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    for key in ("sku", "id"):
        if isinstance(value.get(key), str | int) and not isinstance(value.get(key), bool):
            return str(value[key]).strip()
    return ""


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    raise ListingParseError(f"{name} is not text: {value!r}"[:200], field=name)


def _named(value: Any, name: str) -> str:
    if isinstance(value, dict):
        value = value.get("name")
    return _text(value, name).strip()


def _list(value: Any, name: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ListingParseError(f"{name} is not a list: {value!r}"[:200], field=name)
    return value


def _category(value: Any) -> str:
    if isinstance(value, dict):
        return _text(value.get("path") or value.get("name"), "category").strip()
    return _text(value, "category").strip()


def _attributes(value: Any) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for entry in _list(value, "attributes"):
        if not isinstance(entry, dict) or "name" not in entry:
            raise ListingParseError(
                f"attribute is not a {{name, value}} pair: {entry!r}"[:200], field="attributes"
            )
        name = _text(entry["name"], "attributes").strip()
        if name:
            attributes.setdefault(name, _text(entry.get("value"), "attributes").strip())
    return attributes


def _warehouse(entry: Any) -> WarehouseStock:
    if not isinstance(entry, dict):
        raise ListingParseError(f"stock entry is not an object: {entry!r}"[:200], field="stock")
    return WarehouseStock(
        code=_text(entry.get("warehouse", entry.get("warehouse_code")), "stock.warehouse").strip(),
        name=_text(entry.get("warehouse_name"), "stock.warehouse_name").strip(),
        state=_text(entry.get("uf", entry.get("state")), "stock.uf").strip().upper(),
        city=_text(entry.get("city"), "stock.city").strip(),
        stock=whole_number(entry.get("quantity"), field="stock.quantity"),
        price=brl_price(entry.get("price"), field="stock.price"),
        lead_time_days=whole_number(entry.get("lead_time_days"), field="stock.lead_time_days"),
    )


def _component(entry: Any) -> tuple[str, int]:
    """(distributor SKU when the component is sold on its own, else its title; quantity)."""
    if not isinstance(entry, dict):
        raise ListingParseError(f"kit component is not an object: {entry!r}"[:200], field="kit_components")
    name = _text(entry.get("sku"), "kit_components.sku").strip() or _text(entry.get("name"), "kit_components")
    quantity = whole_number(entry.get("quantity"), field="kit_components.quantity")
    if not name.strip() or not quantity or quantity < 1:
        raise ListingParseError(
            f"kit component without name or quantity: {entry!r}"[:200], field="kit_components"
        )
    return name.strip(), quantity

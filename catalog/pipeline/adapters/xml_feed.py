"""XML product feed (Solfacil): RSS 2.0 with Google Merchant ``g:`` elements, plus the
distributor's ``<stock warehouse uf city lead_time_days>`` and ``<component ref qty>``.

The feed is cut into ``<item>`` elements as text and each one is parsed on its own (with
defusedxml), so one broken item does not cost the whole feed; its raw text is the item exactly as
received. Documents with a DTD are refused (entity expansion).
"""

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from catalog.distributor_http import DistributorClient, FeedFormatError
from catalog.models.taxonomy import FeedFormat
from catalog.pipeline.adapters.base import FeedAdapter, ListingParseError, absolute
from catalog.pipeline.adapters.numbers import brl_price, whole_number
from catalog.pipeline.types import ListingData, SourceRecord, WarehouseStock

G = "http://base.google.com/ns/1.0"
_ITEM_START = re.compile(r"<item[\s>]")
_ITEM_END = re.compile(r"</item\s*>")
_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.I)
_PRICE = re.compile(r"^\s*(-?[\d.,]+)\s*([A-Za-z]{3})?\s*$")


class XmlFeedAdapter(FeedAdapter):
    feed_format = FeedFormat.XML

    def records(self, distributor, client: DistributorClient) -> Iterator[SourceRecord]:
        response = self.get(client, distributor.feed_url)
        declared = _ENCODING.match(response.content[:200])
        text = response.content.decode(declared.group(1).decode() if declared else "utf-8", errors="replace")
        head = text[:4000]
        if "<rss" not in head and "<channel" not in head:
            raise FeedFormatError("not an RSS product feed", url=response.url)
        if _DTD.search(head):
            raise FeedFormatError("feeds with a DTD are not accepted", url=response.url)
        starts = [m.start() for m in _ITEM_START.finditer(text)]
        channel_end = text.rfind("</channel>")
        for index, start in enumerate(starts):
            limit = (
                starts[index + 1]
                if index + 1 < len(starts)
                else (channel_end if channel_end > start else len(text))
            )
            end = _ITEM_END.search(text, start, limit)
            chunk = text[start : end.end()] if end else text[start:limit].rstrip()
            external_id = _first(r"<g:id>\s*([^<]+?)\s*</g:id>", chunk) or f"item-{index + 1}"
            link = _first(r"<g:link>\s*([^<]+?)\s*</g:link>", chunk)
            yield SourceRecord(
                external_id=external_id,
                raw=chunk,
                source_url=absolute(response.url, link) or f"{response.url}#item-{index + 1}",
            )
        if channel_end < 0:
            self.problem(
                "the feed is truncated: no </channel>", url=response.url, raw=text[-2000:], lost=True
            )

    def parse(self, record: SourceRecord) -> ListingData:
        if _DTD.search(record.raw):
            raise ListingParseError("item declares a DTD")
        try:
            root = fromstring(f'<rss xmlns:g="{G}">{record.raw}</rss>')
        except (ParseError, DefusedXmlException) as exc:
            raise ListingParseError(f"invalid XML item: {exc}") from None
        item = root.find("item")
        if item is None:
            raise ListingParseError("no <item> element")
        title = _g(item, "title")
        if not title:
            raise ListingParseError("missing title", field="title")
        base = record.source_url
        attributes: dict[str, str] = {}
        warranty: list[str] = []
        for detail in item.findall(f"{{{G}}}product_detail"):
            name, value = _g(detail, "attribute_name"), _g(detail, "attribute_value")
            if not name:
                continue
            if _g(detail, "section_name").lower() == "garantia":
                warranty.append(f"{name}: {value}")
            else:
                attributes.setdefault(name, value)
        for extra in ("energy_efficiency_class", "availability", "condition", "gtin"):
            if _g(item, extra):
                attributes[extra] = _g(item, extra)
        inmetro = ""
        for certification in item.findall(f"{{{G}}}certification"):
            if _g(certification, "certification_authority").upper() == "INMETRO":
                inmetro = _g(certification, "certification_code")
        images = [_g(item, "image_link")] + [
            (e.text or "").strip() for e in item.findall(f"{{{G}}}additional_image_link")
        ]
        return ListingData(
            external_id=record.external_id,
            title=title,
            price=_price(_g(item, "sale_price") or _g(item, "price")),
            brand=_g(item, "brand"),
            model=_g(item, "mpn"),
            category=_g(item, "product_type"),
            description=_g(item, "description"),
            attributes=attributes,
            images=[absolute(base, src) for src in images if src],
            datasheet_url=absolute(base, (item.findtext("datasheet_link") or "").strip()),
            url=absolute(base, _g(item, "link")) or base,
            inmetro=inmetro,
            warranty="; ".join(warranty),
            warehouses=[_stock(element) for element in item.findall("stock")],
            components=[_component(element) for element in item.findall("component")],
        )


def _first(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    return match.group(1) if match else ""


def _g(element: Element, name: str) -> str:
    return " ".join((element.findtext(f"{{{G}}}{name}") or "").split())


def _price(text: str):
    """ "2349.90 BRL" (Merchant's format) → Decimal; other currencies are refused."""
    match = _PRICE.match(text)
    if match and match.group(2) and match.group(2).upper() != "BRL":
        raise ListingParseError(f"price in {match.group(2).upper()}, expected BRL", field="price")
    return brl_price(match.group(1) if match else text, field="price")


def _stock(element: Element) -> WarehouseStock:
    return WarehouseStock(
        code=(element.get("warehouse") or "").strip(),
        state=(element.get("uf") or "").strip().upper(),
        city=(element.get("city") or "").strip(),
        stock=whole_number((element.text or "").strip(), field="stock"),
        lead_time_days=whole_number(element.get("lead_time_days"), field="lead_time_days"),
    )


def _component(element: Element) -> tuple[str, int]:
    """(distributor SKU when the component is sold on its own, else its title; quantity)."""
    name = (element.get("ref") or "").strip() or " ".join((element.text or "").split())
    quantity = whole_number(element.get("qty"), field="component quantity")
    if not name or not quantity or quantity < 1:
        raise ListingParseError("kit component without name or quantity", field="components")
    return name, quantity

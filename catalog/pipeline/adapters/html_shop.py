"""Server-rendered online shop (Neosolar): the home page's category menu → each category's
listing pages (product cards, "next" link) → each product page, parsed with selectolax (lexbor).

A listing's raw text is its product page's HTML as received. A product page that will not load
is reported (the rest goes on); when the shop stops answering altogether the fetch raises.

Options: ``categories`` (list of category URLs instead of the menu), ``max_pages_per_category``.
"""

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from catalog.distributor_http import (
    DistributorAuthError,
    DistributorClient,
    DistributorError,
    DistributorUnavailable,
    FeedFormatError,
)
from catalog.models.taxonomy import FeedFormat
from catalog.pipeline.adapters.base import FeedAdapter, ListingParseError, absolute, same_site
from catalog.pipeline.adapters.numbers import brl_price, whole_number
from catalog.pipeline.types import ListingData, SourceRecord, WarehouseStock

#: Consecutive failed requests after which the shop is considered down (the run fails).
MAX_CONSECUTIVE_FAILURES = 5


def _text(node: LexborNode | None) -> str:
    return " ".join(node.text(separator=" ").split()) if node is not None else ""


class HtmlShopAdapter(FeedAdapter):
    feed_format = FeedFormat.HTML

    def records(self, distributor, client: DistributorClient) -> Iterator[SourceRecord]:
        options = {**(distributor.feed_options or {}), **self.options}
        self._failures = 0
        home = self.get(client, distributor.feed_url)
        categories = [absolute(home.url, url) for url in options.get("categories") or []]
        if not categories:
            tree = LexborHTMLParser(home.text())
            categories = [
                absolute(home.url, a.attributes.get("href")) for a in tree.css("nav.categorias a[href]")
            ]
        if not categories:
            raise FeedFormatError("no category links on the shop's home page", url=home.url)
        self._site = home.url  # after redirects
        products: dict[str, str] = {}  # product URL → SKU shown on its card
        for category in dict.fromkeys(categories):
            if self._followable(category, home.url):
                self._collect(client, category, products, int(options.get("max_pages_per_category", 500)))
        for url, sku in products.items():
            response = self._try_get(client, url, what="product page", external_id=sku)
            if response is not None:
                external_id = sku or urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
                yield SourceRecord(external_id=external_id, raw=response.text(), source_url=response.url)

    def _collect(self, client, category_url: str, products: dict[str, str], max_pages: int) -> None:
        url: str | None = category_url
        visited: set[str] = set()
        while url and url not in visited and len(visited) < max_pages:
            visited.add(url)
            response = self._try_get(client, url, what="category page")
            if response is None:
                return
            tree = LexborHTMLParser(response.text())
            for card in tree.css(".product-card"):
                link = card.css_first("a.product-link[href]") or card.css_first("a[href]")
                if link is None:
                    continue
                product_url = absolute(response.url, link.attributes.get("href"))
                if self._followable(product_url, response.url):
                    products.setdefault(product_url, (card.attributes.get("data-sku") or "").strip())
            following = tree.css_first('a[rel="next"][href]')
            url = absolute(response.url, following.attributes.get("href")) if following else None
            if url and not self._followable(url, response.url):
                url = None

    def _followable(self, url: str, found_on: str) -> bool:
        if same_site(url, self._site):
            return True
        self.problem(f"link to another host not followed: {url}", url=found_on)
        return False

    def _try_get(self, client, url: str, *, what: str, external_id: str = ""):
        """One page; a failure is reported (listings lost), several in a row mean the shop is down."""
        try:
            response = self.get(client, url)
        except DistributorAuthError:
            raise
        except DistributorError as exc:
            self.problem(f"{what} could not be fetched: {exc}", url=url, external_id=external_id, lost=True)
            self._failures += 1
            if isinstance(exc, DistributorUnavailable) and self._failures >= MAX_CONSECUTIVE_FAILURES:
                raise
            return None
        self._failures = 0
        return response

    def parse(self, record: SourceRecord) -> ListingData:
        tree = LexborHTMLParser(record.raw)
        block = tree.css_first(".product-page")
        if block is None:
            raise ListingParseError("not a product page (no product block)")
        price_box = tree.css_first(".price-box")
        if price_box is None:
            raise ListingParseError("incomplete product page: no price box", field="price")
        title = _text(tree.css_first("h1.product-title") or block.css_first("h1"))
        if not title:
            raise ListingParseError("missing title", field="title")
        specs = self._specs(tree)
        base = record.source_url
        crumbs = tree.css("nav.breadcrumb a")
        days = tree.css_first(".lead-time .days")
        lead_time = whole_number(_text(days), field="lead_time") if days is not None else None
        warehouses = [
            WarehouseStock(
                code=(li.attributes.get("data-cd") or "").strip(),
                name=_text(li).split(":", 1)[0].rsplit("/", 1)[0].strip(),
                state=(li.attributes.get("data-uf") or "").strip().upper(),
                city=(li.attributes.get("data-cidade") or "").strip(),
                stock=whole_number(_text(li.css_first(".qty")), field="stock"),
                lead_time_days=lead_time,
            )
            for li in tree.css("ul.stock-by-cd li")
        ]
        components = []
        for li in tree.css("ul.kit-items li"):
            quantity = whole_number(_text(li.css_first(".qty")), field="kit quantity")
            name = _text(li.css_first(".item"))
            if not name or not quantity:
                raise ListingParseError(
                    f"kit item without name or quantity: {_text(li)!r}", field="components"
                )
            components.append((name, quantity))
        datasheet = tree.css_first("a.datasheet[href]")
        brand_link = tree.css_first(".product-brand a")
        return ListingData(
            external_id=record.external_id,
            title=title,
            price=brl_price(_text(price_box.css_first(".price")), field="price"),
            brand=specs.pop("Marca", "") or _text(brand_link),
            model=specs.pop("Modelo", ""),
            category=_text(crumbs[-1]) if len(crumbs) > 1 else "",
            description=_text(tree.css_first("section.description p")),
            attributes=specs,
            images=[absolute(base, img.attributes.get("src")) for img in tree.css(".gallery img[src]")],
            datasheet_url=absolute(base, datasheet.attributes.get("href")) if datasheet else "",
            url=base,
            inmetro=specs.get("Registro INMETRO", ""),
            warranty=_text(tree.css_first("section.warranty p")),
            warehouses=warehouses,
            components=components,
        )

    @staticmethod
    def _specs(tree: LexborHTMLParser) -> dict[str, str]:
        specs: dict[str, str] = {}
        for row in tree.css("table.spec-table tr"):
            name, value = _text(row.css_first("th")), _text(row.css_first("td"))
            if name:
                specs.setdefault(re.sub(r"\s*:\s*$", "", name), value)
        return specs

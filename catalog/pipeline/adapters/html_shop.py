"""Server-rendered online shop (Neosolar): the home page's category menu → each category's
listing pages (product cards, "next" link) → each product page, parsed with selectolax (lexbor).

Product pages — one request per listing, the slow part of a big crawl — are fetched by a small
pool of threads sharing the run's one ``DistributorClient`` (httpx's connection pool is
thread-safe): at most ``concurrency`` requests in flight, still spaced by the distributor's
politeness delay (the client's per-distributor minimum interval between requests is shared by
every thread), each with its own retries and conditional request. Results are taken back in
listing order, whatever order the pages arrive in, so the raw listings are stored in the same
order on every run. At most ``concurrency × PREFETCH_PER_WORKER`` pages are fetched ahead of
the pipeline: enough to keep fetching while it writes a batch, never the whole shop in memory.
Worker threads only make requests; the report, the problems and the count of consecutive
failures stay on the calling thread.

A listing's raw text is its product page's HTML as received. A product page that will not load
is reported (the rest goes on); when the shop stops answering altogether the fetch raises.

Options: ``categories`` (list of category URLs instead of the menu), ``max_pages_per_category``,
``concurrency`` (product pages in flight, 1–16; default ``CATALOG_HTML_CONCURRENCY`` or 4;
1 fetches them one by one on the calling thread).
"""

import itertools
import logging
import re
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from selectolax.lexbor import LexborHTMLParser, LexborNode

from catalog.distributor_http import (
    DistributorAuthError,
    DistributorClient,
    DistributorError,
    DistributorUnavailable,
    FeedFormatError,
    FeedResponse,
)
from catalog.models.taxonomy import FeedFormat
from catalog.pipeline.adapters.base import FeedAdapter, ListingParseError, absolute, same_site
from catalog.pipeline.adapters.numbers import brl_price, whole_number
from catalog.pipeline.types import ListingData, SourceRecord, WarehouseStock

logger = logging.getLogger(__name__)

#: Consecutive failed requests after which the shop is considered down (the run fails).
MAX_CONSECUTIVE_FAILURES = 5
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
#: Product pages requested ahead of the one the pipeline is waiting for, per worker.
PREFETCH_PER_WORKER = 16


@dataclass(frozen=True)
class PageOutcome:
    """One page request as a worker thread leaves it: the response or the client's error."""

    url: str
    external_id: str = ""
    response: FeedResponse | None = None
    error: DistributorError | None = None


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
        workers = self._concurrency(distributor, options)
        # Closed explicitly so that a failure here stops the workers before it propagates.
        with closing(self._product_pages(client, list(products.items()), workers)) as pages:
            for page in pages:
                response = self._settle(page, what="product page")
                if response is not None:
                    external_id = page.external_id or urlsplit(page.url).path.rstrip("/").rsplit("/", 1)[-1]
                    yield SourceRecord(external_id=external_id, raw=response.text(), source_url=response.url)

    @staticmethod
    def _concurrency(distributor, options: dict) -> int:
        wanted = options.get(
            "concurrency", getattr(settings, "CATALOG_HTML_CONCURRENCY", DEFAULT_CONCURRENCY)
        )
        try:
            return max(1, min(MAX_CONCURRENCY, int(wanted)))
        except (TypeError, ValueError):
            logger.warning("%s: feed option concurrency=%r is not a number", distributor.slug, wanted)
            return DEFAULT_CONCURRENCY

    def _product_pages(self, client, items: list[tuple[str, str]], workers: int) -> Iterator[PageOutcome]:
        """Every product page's outcome, in ``items`` order, with up to ``workers`` in flight."""
        if workers <= 1:
            for url, sku in items:
                yield _fetch_page(client, url, sku)
            return
        queued = iter(items)
        pending: deque[Future[PageOutcome]] = deque()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="html-shop") as pool:
            try:
                for url, sku in itertools.islice(queued, workers * PREFETCH_PER_WORKER):
                    pending.append(pool.submit(_fetch_page, client, url, sku))
                while pending:
                    outcome = pending.popleft().result()
                    following = next(queued, None)
                    if following is not None:
                        pending.append(pool.submit(_fetch_page, client, *following))
                    yield outcome
            finally:
                # The caller stopped (shop down, credentials refused, run failed): requests not
                # started are dropped; leaving the pool waits for the few in flight.
                for future in pending:
                    future.cancel()

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

    def _try_get(self, client, url: str, *, what: str) -> FeedResponse | None:
        return self._settle(_fetch_page(client, url, ""), what=what)

    def _settle(self, page: PageOutcome, *, what: str) -> FeedResponse | None:
        """Account for one page on the calling thread: a failure is reported (listings lost),
        several in a row mean the shop is down, refused credentials stop the crawl."""
        if page.error is None:
            self.report.documents += 1  # as FeedAdapter.get does for requests made by this thread
            if page.response.not_modified:
                self.report.not_modified += 1
            self._failures = 0
            return page.response
        exc = page.error
        if isinstance(exc, DistributorAuthError):
            raise exc
        self.problem(
            f"{what} could not be fetched: {exc}", url=page.url, external_id=page.external_id, lost=True
        )
        self._failures += 1
        if isinstance(exc, DistributorUnavailable) and self._failures >= MAX_CONSECUTIVE_FAILURES:
            raise exc
        return None

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


def _fetch_page(client: DistributorClient, url: str, external_id: str) -> PageOutcome:
    """One request (on a worker thread, or the caller's): touches no adapter state."""
    try:
        return PageOutcome(url, external_id, response=client.get(url))
    except DistributorError as exc:
        return PageOutcome(url, external_id, error=exc)

"""The HTML shop adapter fetches product pages concurrently: the bound on requests in flight,
listing order kept whatever order pages arrive in, one bad page not failing the others, the
politeness interval shared by the workers, and conditional requests — against a loopback shop
that counts the requests it is serving at the same time."""

import itertools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from catalog.distributor_http import DistributorAuthError, DistributorClient, DistributorUnavailable
from catalog.models import Distributor
from catalog.models.taxonomy import FeedFormat
from catalog.pipeline.adapters.html_shop import (
    MAX_CONSECUTIVE_FAILURES,
    PREFETCH_PER_WORKER,
    HtmlShopAdapter,
)

PRODUCTS = 12


class Shop(ThreadingHTTPServer):
    """Home → one category page with ``PRODUCTS`` cards → one page per product. Product ``n`` is
    answered after ``delay(n)`` seconds; ``statuses`` maps a product number to an error status.
    Records when each product request arrived and the most requests in flight at once."""

    daemon_threads = True

    def __init__(self, *, delay=lambda n: 0.0, statuses=None, products=PRODUCTS):
        super().__init__(("127.0.0.1", 0), ShopHandler)
        self.products = products
        self.delay = delay
        self.statuses = dict(statuses or {})
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.arrivals: list[tuple[float, int]] = []
        self.client_ports: list[int] = []  # one per product request: which connection carried it
        self.conditional: list[int] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class ShopHandler(BaseHTTPRequestHandler):
    server: Shop
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path == "/loja/":
            self._send(200, '<nav class="categorias"><a href="/loja/categoria/modulos">Módulos</a></nav>')
        elif self.path == "/loja/categoria/modulos":
            cards = "".join(
                f'<div class="product-card" data-sku="SKU{n:02d}">'
                f'<a class="product-link" href="/loja/produto/p{n:02d}">P{n}</a></div>'
                for n in range(self.server.products)
            )
            self._send(200, cards)
        elif self.path.startswith("/loja/produto/p"):
            self._product(int(self.path.rsplit("p", 1)[-1]))
        else:
            self._send(404, "não encontrado")

    def _product(self, n: int) -> None:
        shop = self.server
        with shop.lock:
            shop.arrivals.append((time.monotonic(), n))
            shop.client_ports.append(self.client_address[1])
            shop.in_flight += 1
            shop.max_in_flight = max(shop.max_in_flight, shop.in_flight)
            if self.headers.get("If-None-Match"):
                shop.conditional.append(n)
        try:
            time.sleep(shop.delay(n))
            if self.headers.get("If-None-Match") == f'"p{n}"':
                self._send(304, "", etag=f'"p{n}"')
            else:
                self._send(shop.statuses.get(n, 200), f"<h1>Produto {n}</h1>", etag=f'"p{n}"')
        finally:
            with shop.lock:
                shop.in_flight -= 1

    def _send(self, status: int, body: str, *, etag: str = "") -> None:
        data = body.encode() if status != 304 else b""
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if etag and status in (200, 304):
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def shop_server():
    servers = []

    def start(**kwargs) -> Shop:
        servers.append(Shop(**kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def crawl(shop: Shop, *, concurrency: int, delay_ms: int = 0, **client_options):
    distributor = Distributor(
        name="Loja Teste",
        slug=f"loja-teste-{shop.server_address[1]}",
        feed_format=FeedFormat.HTML,
        feed_url=shop.base_url + "/loja/",
        feed_options={"concurrency": concurrency},
        politeness_delay_ms=delay_ms,
    )
    adapter = HtmlShopAdapter()
    options = {"backoff_base_s": 0.01, "backoff_max_s": 0.02, **client_options}
    with DistributorClient(distributor, **options) as client:
        records = list(adapter.fetch(distributor, client))
    return adapter, records


def listing_order(n_products=PRODUCTS, skip=()):
    return [f"SKU{n:02d}" for n in range(n_products) if n not in skip]


def test_pages_are_fetched_concurrently_up_to_the_bound_and_kept_in_listing_order(shop_server):
    # given a shop where earlier products answer later (product 0 slowest), so pages arrive
    # in reverse order
    shop = shop_server(delay=lambda n: 0.02 * (PRODUCTS - n))

    # when crawled with 3 workers
    adapter, records = crawl(shop, concurrency=3)

    # then never more than 3 product requests at once, and the bound was used
    assert shop.max_in_flight == 3
    # and the listings come in the category page's order, each with its own page
    assert [r.external_id for r in records] == listing_order()
    assert all(f"Produto {int(r.external_id[3:])}<" in r.raw for r in records)
    assert adapter.report.complete and adapter.report.documents == 2 + PRODUCTS


def test_concurrency_one_fetches_one_page_at_a_time(shop_server):
    shop = shop_server(delay=lambda n: 0.01)

    _, records = crawl(shop, concurrency=1)

    assert shop.max_in_flight == 1
    assert [r.external_id for r in records] == listing_order()


def test_a_failing_product_page_does_not_fail_the_others(shop_server):
    # given product 4 answers 500 every time and product 7 is gone (404)
    shop = shop_server(delay=lambda n: 0.01, statuses={4: 500, 7: 404})

    # when
    adapter, records = crawl(shop, concurrency=4, max_attempts=2)

    # then the other ten are read, in order; the two are reported as lost
    assert [r.external_id for r in records] == listing_order(skip={4, 7})
    assert not adapter.report.complete
    lost = {p.external_id: p.reason for p in adapter.problems}
    assert set(lost) == {"SKU04", "SKU07"}
    assert "HTTP 500" in lost["SKU04"] and "HTTP 404" in lost["SKU07"]
    # the 500 was retried (2 attempts), the 404 was not
    assert [n for _, n in shop.arrivals].count(4) == 2
    assert [n for _, n in shop.arrivals].count(7) == 1


def test_refused_credentials_on_a_product_page_stop_the_crawl(shop_server):
    shop = shop_server(statuses={5: 403})

    with pytest.raises(DistributorAuthError):
        crawl(shop, concurrency=4)


def test_a_shop_that_stops_answering_fails_the_crawl_without_fetching_everything(shop_server):
    # given a shop of 200 products whose product pages all fail with 503
    shop = shop_server(statuses={n: 503 for n in range(200)}, products=200)

    # when / then the crawl gives up after five failures in a row
    with pytest.raises(DistributorUnavailable):
        crawl(shop, concurrency=2, max_attempts=1)
    # having asked for no more than those five plus the pages fetched ahead
    assert (
        MAX_CONSECUTIVE_FAILURES <= len(shop.arrivals) <= MAX_CONSECUTIVE_FAILURES + 2 * PREFETCH_PER_WORKER
    )


def test_workers_share_the_politeness_interval(shop_server):
    # given a distributor asking for 80 ms between requests and fast pages
    shop = shop_server()
    delay = 0.08

    # when crawled with 4 workers
    crawl(shop, concurrency=4, delay_ms=int(delay * 1000))

    # then the product requests still arrive one interval apart, not four at a time
    times = sorted(at for at, _ in shop.arrivals)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= delay / 2, gaps
    assert times[-1] - times[0] >= 0.9 * delay * (len(times) - 1)


def test_second_crawl_sends_conditional_requests_from_every_worker(shop_server):
    # given one crawl done (ETags remembered)
    shop = shop_server()
    crawl(shop, concurrency=4)
    first_crawl = len(shop.client_ports)

    # when crawled again
    adapter, records = crawl(shop, concurrency=4)

    # then every product page was asked conditionally and answered 304, listings unchanged
    assert sorted(shop.conditional) == list(range(PRODUCTS))
    assert adapter.report.not_modified == PRODUCTS
    assert [r.external_id for r in records] == listing_order()
    assert all(f"Produto {int(r.external_id[3:])}<" in r.raw for r in records)
    # and the 304s kept their connections open for the next requests (at most one per worker)
    assert len(set(shop.client_ports[first_crawl:])) <= 4

"""The four feed adapters fetching the sample feeds from the local feed server over HTTP."""

import dataclasses
import json
import shutil
from decimal import Decimal

import pytest

from catalog.distributor_http import (
    DistributorAuthError,
    DistributorClient,
    DistributorUnavailable,
    FeedFormatError,
)
from catalog.feedserver import start_feed_server
from catalog.fixtures.constants import FEEDS_DIR
from catalog.fixtures.listings import listings_for
from catalog.pipeline.adapters import ADAPTERS, ListingParseError, adapter_for
from catalog.pipeline.adapters.json_api import scan_page
from catalog.pipeline.adapters.numbers import br_decimal, brl_price, whole_number
from catalog.pipeline.types import SourceRecord

MANIFEST = json.loads((FEEDS_DIR / "manifest.json").read_text(encoding="utf-8"))["feeds"]
SLUGS = ("fortlev", "neosolar", "odex", "solfacil")
PAGE = "/fortlev/api/v1/products?page="


@pytest.fixture(scope="module")
def generated():
    """The generator's own view of every listing, keyed by distributor and SKU (first wins)."""
    out = {}
    for slug, rows in listings_for().items():
        out[slug] = {}
        for row in rows:
            out[slug].setdefault(row.sku, row)
    return out


@pytest.fixture(scope="module")
def feeds_read(_feed_server_session):
    """Every feed fetched and parsed once for the read-only tests of this module."""
    from catalog.fixtures.constants import DISTRIBUTORS
    from catalog.models import Distributor

    out = {}
    for demo in DISTRIBUTORS:
        distributor = Distributor(
            name=demo.name,
            slug=demo.slug,
            feed_format=demo.feed_format,
            feed_url=_feed_server_session.base_url + demo.feed_path,
            feed_options=dict(demo.feed_options),
            politeness_delay_ms=0,
        )
        out[demo.slug] = fetch(distributor)
    return out


def fetch(distributor, **client_options):
    adapter = adapter_for(distributor)
    options = {"backoff_base_s": 0.01, "backoff_max_s": 0.05, **client_options}
    with DistributorClient(distributor, **options) as client:
        records = list(adapter.fetch(distributor, client))
    parsed, errors = {}, {}
    for record in records:
        try:
            parsed[record.external_id] = adapter.parse(record)
        except ListingParseError as exc:
            errors[record.external_id] = exc.reason
    return adapter, records, parsed, errors


@pytest.mark.parametrize("slug", SLUGS)
def test_adapter_reads_every_listing_of_its_feed(slug, feeds_read, generated, _feed_server_session):
    # given
    expected = MANIFEST[slug]

    # when
    adapter, records, parsed, errors = feeds_read[slug]

    # then
    assert len(records) == expected["records"]
    assert len(errors) == expected["parse_error"]
    assert sum("duplicate SKU" in p.reason for p in adapter.problems) == expected["duplicate"] == 1
    assert adapter.report.complete
    assert all(
        record.raw and record.source_url.startswith(_feed_server_session.base_url) for record in records
    )
    for sku, row in generated[slug].items():
        if row.expected == "parse_error":
            assert sku in errors
            continue
        listing = parsed[sku]
        assert listing.title == row.title
        assert listing.brand == row.brand
        assert listing.model == row.model
        assert listing.price == row.price
        assert {w.code: w.stock for w in listing.warehouses} == row.stock
        assert {w.state for w in listing.warehouses} == {w.state for w in distributor_warehouses(slug)}
        assert len(listing.components) == len(row.product.components)


def distributor_warehouses(slug):
    from catalog.fixtures.constants import DISTRIBUTORS

    return next(d for d in DISTRIBUTORS if d.slug == slug).warehouses


def test_fortlev_listing_field_by_field(feeds_read, _feed_server_session):
    # when
    _, _, parsed, _ = feeds_read["fortlev"]

    # then
    listing = parsed["FTL-MOD-00004"]
    assert listing.title == "Módulo Fotovoltaico JA Solar JAM72S30-550/MR 550W Monocristalina PERC Half-Cell"
    assert listing.price == Decimal("361.90")
    assert listing.category == "Energia Solar > Módulos Fotovoltaicos"
    assert listing.attributes["Potência Máxima (Pmax)"] == "550 Wp"
    assert listing.attributes["Tensão de Circuito Aberto (Voc)"] == "49.91 V"
    assert listing.inmetro == "083796/2023"
    assert [(w.code, w.state, w.stock, w.price, w.lead_time_days) for w in listing.warehouses] == [
        ("CD-SERRA-ES", "ES", 0, None, 28),
        ("CD-SOROCABA-SP", "SP", 1003, None, 3),
        ("CD-ANAPOLIS-GO", "GO", 0, Decimal("354.66"), 33),
    ]
    assert (
        listing.datasheet_url
        == _feed_server_session.base_url + "/fortlev/media/datasheets/ja-solar-jam72s30-mr.pdf"
    )
    kit = next(item for item in parsed.values() if item.components)
    assert kit.components[:2] == [("FTL-INV-00147", 1), ("FTL-MOD-00018", 10)]


def test_neosolar_listing_field_by_field(feeds_read):
    # when
    _, _, parsed, _ = feeds_read["neosolar"]

    # then
    listing = parsed["NEO000004"]
    assert listing.title == "Painel Solar 550W Mono Half Cell Ja Solar JAM72S30"
    assert listing.price == Decimal("385.90")
    assert (listing.brand, listing.model, listing.category) == (
        "Ja Solar",
        "JAM72S30-550/MR",
        "Painéis Solares",
    )
    assert listing.attributes["Potência"] == "550 W"
    assert listing.attributes["Eficiência"] == "21,3 %"
    assert listing.inmetro == "Nº 083796/2023"
    assert [(w.code, w.state, w.stock, w.lead_time_days) for w in listing.warehouses] == [
        ("NEO-SP", "SP", 63, 2),
        ("NEO-PR", "PR", 1834, 2),
        ("NEO-PE", "PE", 0, 2),
    ]
    assert listing.url.endswith(
        "/neosolar/loja/produto/painel-solar-550w-mono-half-cell-ja-solar-jam72s30-neo000004"
    )


def test_odex_and_solfacil_listings_field_by_field(feeds_read):
    # when
    _, _, odex, _ = feeds_read["odex"]
    _, _, solfacil, _ = feeds_read["solfacil"]

    # then
    row = odex["10004"]
    assert (row.title, row.brand, row.model) == ("MOD FV JA 545WP JAM72S30-545/MR", "JA", "JAM72S30-545/MR")
    assert row.price == Decimal("347.00")
    assert row.attributes["POTÊNCIA"] == "0,545KWP"
    assert [(w.code, w.stock, w.lead_time_days) for w in row.warehouses] == [
        ("GO", 0, 4),
        ("SC", 0, 4),
        ("BA", 2356, 4),
    ]
    item = solfacil["SF-MOD00004"]
    assert item.price == Decimal("377.90")
    assert item.attributes["Potência Máxima (Pmax)"] == "0,55 kWp"
    assert item.attributes["energy_efficiency_class"] == "A"
    assert item.inmetro == "083796/2023"
    assert item.warranty == "Garantia do produto: 12 anos; Garantia de performance: 25 anos (80%)"
    assert (item.warehouses[0].code, item.warehouses[0].state, item.warehouses[0].stock) == (
        "SFC-CAJAMAR",
        "SP",
        2399,
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_deliberately_bad_listings_are_read_as_published(slug, feeds_read, generated):
    # given
    bad = {row.defect: sku for sku, row in generated[slug].items() if row.defect}

    # when
    _, _, parsed, errors = feeds_read[slug]

    # then
    assert parsed[bad["no_price"]].price is None
    assert parsed[bad["price_on_request"]].price is None
    assert parsed[bad["negative_price"]].price < 0
    assert parsed[bad["absurd_price"]].price == Decimal("9999999.00")
    assert "50000" in " ".join(
        [parsed[bad["huge_watt_module"]].title, *parsed[bad["huge_watt_module"]].attributes.values()]
    )
    assert errors[bad["missing_title"]] in ("missing title", "name is not text")
    assert bad["garbled"] in errors


def test_fortlev_follows_pagination_to_the_end_with_the_token(feed_server, make_distributor):
    # when
    adapter, _, _, _ = fetch(make_distributor("fortlev"))

    # then
    pages = feed_server.requests_to(PAGE)
    assert [r.path.split("page=")[1].split("&")[0] for r in pages] == ["1", "2", "3", "4", "5"]
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in pages)
    assert adapter.report.documents == 5


def test_fortlev_without_token_raises_auth_error(make_distributor):
    # given
    fortlev = make_distributor("fortlev", feed_options={"per_page": 100})

    # when / then
    with pytest.raises(DistributorAuthError):
        fetch(fortlev)


def test_truncated_json_page_keeps_what_was_received_and_goes_on(feed_server, make_distributor):
    # given
    feed_server.fault_add(PAGE + "2&", truncate=True, times=1)

    # when
    adapter, records, _, _ = fetch(make_distributor("fortlev"))

    # then
    from_page_2 = [r for r in records if "FTL-" in r.external_id and 100 < int(r.external_id[-5:]) <= 200]
    assert 0 < len(from_page_2) < 100
    assert len(records) > MANIFEST["fortlev"]["records"] - 100
    assert not adapter.report.complete
    assert any("page 2" in p.reason and "ends abruptly" in p.reason for p in adapter.problems)
    assert len(feed_server.requests_to(PAGE)) == 5


def test_json_api_retries_a_flaky_page(feed_server, make_distributor):
    # given
    feed_server.fault_add(PAGE + "3&", status=503, times=2)

    # when
    adapter, records, _, _ = fetch(make_distributor("fortlev"))

    # then
    assert len(records) == MANIFEST["fortlev"]["records"]
    assert adapter.report.complete


def test_json_api_page_that_stays_down_fails_the_fetch(feed_server, make_distributor):
    # given
    feed_server.fault_add(PAGE + "2&", status=500)

    # when / then
    with pytest.raises(DistributorUnavailable):
        fetch(make_distributor("fortlev"), max_attempts=2)


def test_neosolar_product_page_that_fails_is_reported_and_the_rest_imported(feed_server, make_distributor):
    # given
    feed_server.fault_add(
        "/neosolar/loja/produto/painel-solar-550w-mono-half-cell-ja-solar-jam72s30", status=500
    )

    # when
    adapter, records, parsed, _ = fetch(make_distributor("neosolar"), max_attempts=2)

    # then
    assert "NEO000004" not in parsed
    assert len(records) == MANIFEST["neosolar"]["records"] - 1
    assert not adapter.report.complete
    assert any(p.external_id == "NEO000004" and "HTTP 500" in p.reason for p in adapter.problems)


def test_html_crawl_never_leaves_the_distributors_host(tmp_path, make_distributor):
    # given
    shutil.copytree(FEEDS_DIR / "neosolar", tmp_path / "neosolar")
    home = tmp_path / "neosolar" / "loja" / "index.html"
    home.write_text(
        home.read_text(encoding="utf-8").replace(
            '<nav class="categorias">',
            '<nav class="categorias"><a href="http://127.0.0.2:9/loja/x">Outra</a>',
        ),
        encoding="utf-8",
    )
    server, base_url = start_feed_server(root=tmp_path)
    try:
        neosolar = make_distributor("neosolar", feed_url=base_url + "/neosolar/loja/")

        # when
        adapter, records, _, _ = fetch(neosolar, max_attempts=1)
    finally:
        server.stop()

    # then
    assert len(records) == MANIFEST["neosolar"]["records"]
    assert any("another host not followed: http://127.0.0.2:9/loja/x" in p.reason for p in adapter.problems)


def test_neosolar_shop_down_raises(feed_server, make_distributor):
    # given
    feed_server.fault_add("/neosolar/", status=503)

    # when / then
    with pytest.raises(DistributorUnavailable):
        fetch(make_distributor("neosolar"), max_attempts=2)


def test_neosolar_product_in_two_categories_is_fetched_once(feed_server, make_distributor, generated):
    # given
    micro = next(row for row in generated["neosolar"].values() if row.product.kind == "microinverter")

    # when
    _, _, parsed, _ = fetch(make_distributor("neosolar"))

    # then
    assert micro.sku in parsed
    product_requests = [
        r for r in feed_server.requests_to("/neosolar/loja/produto/") if micro.sku.lower() in r.path
    ]
    assert len(product_requests) == 1


def test_odex_csv_in_cp1252_and_xlsx_give_the_same_listings(feed_server, make_distributor, generated):
    # given
    garbled = next(sku for sku, row in generated["odex"].items() if row.defect == "garbled")
    csv_feed = make_distributor("odex")
    xlsx_feed = make_distributor(
        "odex", feed_url=feed_server.base_url + "/odex/tabela-precos.xlsx", feed_options={"format": "xlsx"}
    )

    # when
    _, _, from_csv, csv_errors = fetch(csv_feed)
    _, _, from_xlsx, xlsx_errors = fetch(xlsx_feed)

    # then
    assert set(csv_errors) == set(xlsx_errors)
    assert csv_errors[garbled] == "garbled row: 5 columns where the header has 15"
    assert "#N/D" in xlsx_errors[garbled]
    assert [dataclasses.replace(x, url="") for x in from_xlsx.values()] == [
        dataclasses.replace(c, url="") for c in from_csv.values()
    ]
    assert from_csv["10004"].title == "MOD FV JA 545WP JAM72S30-545/MR"
    assert from_csv["10004"].attributes == {"UN": "PC", "POTÊNCIA": "0,545KWP"}


def test_solfacil_invalid_item_and_truncated_feed_are_reported(feed_server, make_distributor):
    # given
    feed_server.fault_add("/solfacil/", truncate=True)

    # when
    adapter, records, parsed, errors = fetch(make_distributor("solfacil"))

    # then
    assert 0 < len(records) < MANIFEST["solfacil"]["records"]
    assert not adapter.report.complete
    assert any("no </channel>" in p.reason for p in adapter.problems)
    assert records[-1].external_id in errors or records[-1].external_id in parsed


def test_second_fetch_is_answered_304_and_reads_the_same_listings(feed_server, make_distributor):
    # given
    fortlev = make_distributor("fortlev")
    _, first, _, _ = fetch(fortlev)

    # when
    adapter, second, _, _ = fetch(fortlev)

    # then
    assert adapter.report.unchanged
    assert adapter.report.not_modified == 5
    assert second == first


@pytest.mark.parametrize(
    ("feed_format", "raw", "reason"),
    [
        ("json_api", '{"sku": "X1", "name": "Inversor", "price": 10', "not valid JSON"),
        ("json_api", '{"sku": "X1", "name": "Inversor", "price": 10, "currency": "USD"}', "USD"),
        ("json_api", '{"sku": "X1", "name": "Inversor", "stock": "muitos"}', "stock is not a list"),
        ("html", "<html><body><p>Produto indisponível</p></body></html>", "not a product page"),
        ("csv", "CÓDIGO;DESCRIÇÃO;PREÇO\n123;Inversor", "2 columns"),
        ("csv", "CÓDIGO;DESCRIÇÃO;PREÇO\n123;Inversor;R$ abc", "not a number"),
        ("xml", "<item><g:id>1</g:id><g:title>A & B</g:title></item>", "invalid XML"),
        ("xml", "<item><g:title>A</g:title><g:price>10 USD</g:price></item>", "USD"),
        ("xml", '<!DOCTYPE x [<!ENTITY a "b">]><item><g:title>&a;</g:title></item>', "DTD"),
    ],
)
def test_garbage_listing_raises_a_parse_error_with_a_reason(feed_format, raw, reason):
    # given
    adapter = ADAPTERS[feed_format]()

    # when
    with pytest.raises(ListingParseError) as caught:
        adapter.parse(SourceRecord(external_id="X1", raw=raw, source_url="http://127.0.0.1/x"))

    # then
    assert reason in caught.value.reason


def test_scan_page_keeps_complete_items_before_the_break():
    # when
    page = scan_page('{"data":[{"sku":"A","price":1.5},{"sku":"B"},{"sku":"C","na')

    # then
    assert [text for text, _ in page.items] == ['{"sku":"A","price":1.5}', '{"sku":"B"}']
    assert "ends abruptly" in page.error
    assert scan_page("<html>erro</html>").error


def test_adapter_for_picks_the_adapter_of_the_feed_format(make_distributor):
    # when / then
    assert type(adapter_for(make_distributor("fortlev"))).__name__ == "JsonApiAdapter"
    assert type(adapter_for(make_distributor("neosolar"))).__name__ == "HtmlShopAdapter"
    assert type(adapter_for(make_distributor("odex"))).__name__ == "PriceListAdapter"
    assert type(adapter_for(make_distributor("solfacil"))).__name__ == "XmlFeedAdapter"
    with pytest.raises(ValueError):
        adapter_for(make_distributor("odex", feed_format="ftp"))


def test_html_home_page_without_categories_is_a_format_error(feed_server, make_distributor):
    # given
    neosolar = make_distributor("neosolar", feed_url=feed_server.base_url + "/solfacil/feed/produtos.xml")

    # when / then
    with pytest.raises(FeedFormatError):
        fetch(neosolar)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2.349,90", Decimal("2349.90")),
        ("R$ 1.234,56", Decimal("1234.56")),
        ("2349.90 BRL", Decimal("2349.90")),
        ("2349,9", Decimal("2349.9")),
        ("2.349", Decimal("2349")),
        ("1.234.567,00", Decimal("1234567.00")),
        ("1,234.56", Decimal("1234.56")),
        ("-1.890,00", Decimal("-1890.00")),
        ("0,55", Decimal("0.55")),
    ],
)
def test_brazilian_numbers(text, number):
    # when / then
    assert br_decimal(text.removesuffix(" BRL").removeprefix("R$ ")) == number
    assert brl_price(text) == number.quantize(Decimal("0.01"))


def test_prices_on_request_and_garbage():
    # when / then
    assert brl_price("Preço sob consulta") is None
    assert brl_price("") is None
    assert brl_price(Decimal("2349.9")) == Decimal("2349.90")
    with pytest.raises(ListingParseError):
        brl_price("R$ dois mil")
    with pytest.raises(ListingParseError):
        brl_price(float("nan"))
    assert whole_number("1.200 un.", field="stock") == 1200
    assert whole_number("", field="stock") is None
    with pytest.raises(ListingParseError):
        whole_number("muitos", field="stock")

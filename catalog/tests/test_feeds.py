"""The sample feeds: generated deterministically from a realistic master list, big enough,
overlapping across distributors, with deliberately bad listings; served by the feed server;
and the demo Distributor rows that point at it."""

import json
import re
from collections import Counter
from decimal import Decimal

import httpx
import pytest

from catalog.fixtures.constants import DISTRIBUTORS, FEEDS_DIR, SNAPSHOT_DATE
from catalog.fixtures.distributors import distributors_install
from catalog.fixtures.generate_feeds import feeds_generate, main
from catalog.fixtures.listings import BAD_LISTINGS, listings_for
from catalog.fixtures.master import master_products
from catalog.models import Distributor, Warehouse
from catalog.specs import specs_validate


def test_regenerating_reproduces_the_committed_feeds_byte_for_byte(tmp_path):
    # when
    feeds_generate(out=tmp_path, scale=1)

    # then
    committed = {p.relative_to(FEEDS_DIR): p for p in FEEDS_DIR.rglob("*") if p.is_file()}
    regenerated = {p.relative_to(tmp_path): p for p in tmp_path.rglob("*") if p.is_file()}
    assert set(regenerated) == set(committed)
    changed = [
        str(path) for path in committed if committed[path].read_bytes() != regenerated[path].read_bytes()
    ]
    assert changed == []


def test_feeds_hold_well_over_1500_listings_with_real_overlap():
    # given
    listings = listings_for()

    # when
    entries = sum(len(rows) for rows in listings.values())
    spread: dict[str, set[str]] = {}
    for slug, rows in listings.items():
        for row in rows:
            if row.expected == "ok" and row.product.kind != "kit":
                spread.setdefault(row.product.code, set()).add(slug)
    popular = [p for p in master_products() if p.kind != "kit" and p.popularity >= 0.8]

    # then
    assert entries > 1500
    assert all(len(rows) > 400 for rows in listings.values())
    assert sum(len(s) >= 3 for s in spread.values()) > len(spread) / 2
    assert sum(len(spread.get(p.code, ())) >= 3 for p in popular) >= 0.8 * len(popular)


def test_manifest_matches_the_generator():
    # given
    manifest = json.loads((FEEDS_DIR / "manifest.json").read_text(encoding="utf-8"))

    # when
    listings = listings_for()

    # then
    for slug, rows in listings.items():
        assert manifest["feeds"][slug]["entries"] == len(rows)
        assert sorted(manifest["feeds"][slug]["bad"].values()) == sorted(BAD_LISTINGS)
    assert manifest["total_entries"] > 1500


def test_every_feed_carries_each_kind_of_bad_listing():
    # when
    listings = listings_for()

    # then
    for rows in listings.values():
        defects = Counter(row.defect for row in rows if row.defect)
        assert defects == Counter(list(BAD_LISTINGS))


def test_master_datasheets_pass_the_spec_schemas():
    # when
    problems = {p.code: specs_validate(p.kind, p.specs)[1] for p in master_products()}

    # then
    assert {code: errors for code, errors in problems.items() if errors} == {}


def test_master_list_has_real_brands_prices_and_registrations():
    # given
    products = master_products()
    modules = [p for p in products if p.kind == "module"]
    kinds = Counter(p.kind for p in products)

    # then
    assert {"JA Solar", "Canadian Solar", "Trina Solar", "LONGi", "Jinko Solar"} <= {p.brand for p in modules}
    expected_kinds = {"module", "inverter", "microinverter", "battery", "structure", "string_box", "cable"}
    assert set(kinds) >= expected_kinds | {"connector", "kit"}
    assert min(p.specs["power_w"] for p in modules) >= 330
    assert max(p.specs["power_w"] for p in modules) <= 720
    assert all(Decimal("0.55") <= p.price / p.specs["power_w"] <= Decimal("1.10") for p in modules)
    assert all(re.fullmatch(r"\d{6}/\d{4}", p.inmetro) for p in modules if p.inmetro)
    expired = [p for p in modules if p.inmetro and p.inmetro_valid_until < SNAPSHOT_DATE.isoformat()]
    missing = [p for p in modules if not p.inmetro]
    assert expired and missing
    assert len(expired) + len(missing) < len(modules) / 3


def test_kits_are_made_of_listed_components_and_priced_below_their_parts():
    # given
    products = master_products()
    by_code = {p.code: p for p in products}

    # when
    kits = [p for p in products if p.kind == "kit"]

    # then
    assert len(kits) > 500
    for kit in kits:
        parts = sum(by_code[code].price * qty for code, qty in kit.components)
        assert kit.price < parts
        modules = [(by_code[c], q) for c, q in kit.components if by_code[c].kind == "module"]
        assert kit.specs["power_kwp"] == pytest.approx(sum(m.specs["power_w"] * q for m, q in modules) / 1000)


def test_scaled_master_list_multiplies_distinct_products():
    # when
    products = master_products(scale=3)

    # then
    base = master_products()
    assert len(products) == 3 * len(base)
    assert len({(p.brand, p.model) for p in products}) == 3 * len({(p.brand, p.model) for p in base})


def test_scaled_copy_needs_its_own_folder():
    # when / then
    with pytest.raises(SystemExit):
        main(["--scale", "2"])


def test_feed_server_answers_if_modified_since_and_head(feed_server):
    # given
    url = feed_server.base_url + "/solfacil/feed/produtos.xml"
    first = httpx.get(url)

    # when
    conditional = httpx.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    head = httpx.head(url)

    # then
    assert conditional.status_code == 304
    assert conditional.content == b""
    assert head.status_code == 200
    assert head.headers["ETag"] == first.headers["ETag"]


def test_feed_server_keeps_to_the_feeds_folder(feed_server):
    # when
    traversal = httpx.get(feed_server.base_url + "/odex/../fortlev/products.jsonl")
    raw_api_data = httpx.get(feed_server.base_url + "/fortlev/products.jsonl")
    bad_page = httpx.get(
        feed_server.base_url + "/fortlev/api/v1/products?page=abc",
        headers={"Authorization": "Bearer ysh-demo-fortlev-2026"},
    )

    # then
    assert traversal.status_code == 404
    assert raw_api_data.status_code == 404
    assert bad_page.status_code == 400


def test_distributors_install_is_idempotent_and_follows_the_base_url(db):
    # given
    distributors_install("http://127.0.0.1:9999")

    # when
    installed = distributors_install("http://127.0.0.1:8765/")

    # then
    assert sorted(d.slug for d in installed) == ["fortlev", "neosolar", "odex", "solfacil"]
    assert Distributor.objects.count() == 4
    assert Warehouse.objects.count() == 12
    odex = Distributor.objects.get(slug="odex")
    assert odex.feed_url == "http://127.0.0.1:8765/odex/tabela-precos.csv"
    assert odex.feed_format == "csv"
    assert sorted(odex.warehouses.values_list("state", flat=True)) == ["BA", "GO", "SC"]
    assert Distributor.objects.get(slug="fortlev").feed_options["token"]


def test_distributors_install_default_base_url_from_settings(db, settings):
    # given (DEMO_FEEDS_BASE_URL in the environment sets it)
    settings.DEMO_FEEDS_BASE_URL = "http://127.0.0.1:9100"

    # when
    installed = distributors_install()

    # then
    assert all(d.feed_url.startswith("http://127.0.0.1:9100/") for d in installed)
    assert {d.slug for d in installed} == {d.slug for d in DISTRIBUTORS}

"""ANEEL open-data client over real HTTP against the local CKAN fixture server."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from engineering.aneel import (
    CSV_COLUMNS,
    AneelClient,
    AneelFormatError,
    AneelRequestError,
    AneelUnavailable,
    aneel_cache_prune,
    csv_file_records,
    parse_decimal,
    records_from_text,
)
from engineering.models import AneelCache
from engineering.tariffs import SNAPSHOT_PATH

pytestmark = pytest.mark.django_db


def make_client(**kwargs) -> AneelClient:
    return AneelClient(backoff_s=0, **kwargs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("432,44", Decimal("432.44")),
        (",00", Decimal("0")),
        ("1.361,78", Decimal("1361.78")),
        ("12.345.678,9", Decimal("12345678.9")),
        ("-3,5", Decimal("-3.5")),
        ("432.44", Decimal("432.44")),
        ("", Decimal("0")),
        (" 75,94 ", Decimal("75.94")),
    ],
)
def test_parse_decimal_reads_aneel_numbers(text, expected):
    # given / when
    value = parse_decimal(text)
    # then
    assert value == expected


def test_parse_decimal_rejects_garbage():
    # given / when / then
    with pytest.raises(AneelFormatError):
        parse_decimal("R$ 12")


def test_datastore_pages_follow_links_next_until_total(ckan_server):
    # given 25 published rows and pages of 10
    client = make_client()
    # when
    pages = list(client.datastore_pages(page_size=10))
    # then three requests, following _links.next (offset 10, 20), every record once
    assert [len(p.records) for p in pages] == [10, 10, 5]
    assert ckan_server.datastore_count() == 3
    offsets = [int(r.query.get("offset", 0)) for r in ckan_server.server.requests]
    assert offsets == [0, 10, 20]
    assert pages[0].total == 25
    assert pages[0].fields[0] == {"id": "_id", "type": "int"}
    assert {f["type"] for f in pages[0].fields[1:]} == {"text"}


def test_datastore_records_are_typed_and_filters_json_encoded(ckan_server):
    # given
    client = make_client()
    filters = {"SigAgente": "ELETROPAULO", "DscSubGrupo": ["B3"], "DscDetalhe": "Não se aplica"}
    # when
    records = list(client.datastore_records(filters=filters, page_size=10))
    # then the filters travel JSON-encoded and the values are Decimal as published
    sent = json.loads(ckan_server.server.requests[0].query["filters"])
    assert sent == filters
    assert [(str(r.valid_from), r.tusd, r.te) for r in records] == [
        ("2026-01-01", Decimal("432.44"), Decimal("292.74")),
        ("2024-07-04", Decimal("373.17"), Decimal("263.07")),
    ]
    assert records[0].resolution == "RESOLUÇÃO HOMOLOGATÓRIA Nº 3.477, DE 1 DE JULHO DE 2025"
    assert records[0].cnpj == "61695227000193"
    assert records[0].klass == "Não se aplica"


def test_repeated_request_within_ttl_is_answered_from_aneel_cache(ckan_server):
    # given one request already made
    client = make_client()
    first = client.datastore_search(filters={"SigAgente": "CEEE-D"}, limit=5)
    # when the same request is repeated
    second = client.datastore_search(filters={"SigAgente": "CEEE-D"}, limit=5)
    # then the server saw one request and the cache entry counts the hit
    assert ckan_server.datastore_count() == 1
    assert first.from_cache is False
    assert second.from_cache is True
    assert second.records == first.records
    entry = AneelCache.objects.get()
    assert entry.hits == 1
    assert entry.expires_at - entry.fetched_at == timedelta(days=30)
    assert json.loads(entry.body)["success"] is True


def test_expired_cache_entry_goes_back_to_the_network(ckan_server):
    # given a cached answer whose 30 days are over
    client = make_client()
    client.datastore_search(filters={"SigAgente": "CEEE-D"}, limit=5)
    AneelCache.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    # when
    page = client.datastore_search(filters={"SigAgente": "CEEE-D"}, limit=5)
    # then
    assert page.from_cache is False
    assert ckan_server.datastore_count() == 2
    assert AneelCache.objects.count() == 1


def test_force_refresh_skips_the_cache_but_stores_the_answer(ckan_server):
    # given
    make_client().datastore_search(limit=5)
    # when
    page = make_client(force_refresh=True).datastore_search(limit=5)
    # then
    assert page.from_cache is False
    assert ckan_server.datastore_count() == 2


def test_transient_server_errors_are_retried(ckan_server):
    # given ANEEL answers 503 once, then works
    ckan_server.server.fail_next(1, 503)
    # when
    page = make_client(retries=2).datastore_search(limit=5)
    # then
    assert len(page.records) == 5
    assert ckan_server.datastore_count() == 2


def test_persistent_500s_end_in_aneel_unavailable(ckan_server):
    # given ANEEL keeps failing
    ckan_server.server.fail_next(10, 500)
    # when / then retries + 1 attempts, then a typed error, nothing cached
    with pytest.raises(AneelUnavailable) as info:
        make_client(retries=2).datastore_search(limit=5)
    assert info.value.attempts == 3
    assert info.value.status == 500
    assert ckan_server.datastore_count() == 3
    assert AneelCache.objects.count() == 0


def test_connection_refused_is_aneel_unavailable(closed_port_url):
    # given nothing listens at the configured address
    client = make_client(base_url=closed_port_url, retries=1)
    # when / then
    with pytest.raises(AneelUnavailable) as info:
        client.datastore_search(limit=5)
    assert info.value.attempts == 2
    assert info.value.status is None


def test_unknown_resource_is_a_request_error_without_retries(ckan_server):
    # given
    client = make_client(resource_id="00000000-0000-0000-0000-000000000000")
    # when / then
    with pytest.raises(AneelRequestError):
        client.datastore_search(limit=5)
    assert ckan_server.datastore_count() == 1


def test_csv_resource_is_streamed_to_disk_and_parsed_in_the_published_format(ckan_server):
    # given
    client = make_client()
    # when
    path, from_cache = client.csv_download()
    records = list(csv_file_records(path))
    # then the file is the published bytes (quoted, ';', CRLF) and every row comes back typed
    raw = path.read_bytes()
    assert raw.startswith(b'"DatGeracaoConjuntoDados";"DscREH";')
    assert raw.count(b"\r\n") == len(ckan_server.rows) + 1
    assert from_cache is False
    assert len(records) == len(ckan_server.rows)
    light_ponta = next(r for r in records if r.sig_agente == "LIGHT SESA" and r.posto == "Ponta")
    assert light_ponta.tusd == Decimal("1361.78")
    brasilia = next(r for r in records if r.sig_agente == "Neoenergia Brasília")
    assert brasilia.accessor == ""
    assert brasilia.unit == "kW"
    assert brasilia.te == Decimal("0")
    entry = AneelCache.objects.get()
    assert entry.body_path == str(path)
    assert entry.size_bytes == len(raw)


def test_csv_resource_within_ttl_is_not_downloaded_again(ckan_server):
    # given
    client = make_client()
    client.csv_download()
    # when
    path, from_cache = client.csv_download()
    # then
    assert from_cache is True
    assert ckan_server.csv_count() == 1
    assert path.exists()


def test_csv_with_another_header_is_a_format_error():
    # given a CSV whose columns are not the tariff dataset's
    text = '"DatGeracaoConjuntoDados";"SigAgente"\r\n"2026-10-02";"X"\r\n'
    # when / then
    with pytest.raises(AneelFormatError):
        records_from_text(text)


def test_csv_row_with_missing_field_names_its_line():
    # given
    header = ";".join(f'"{c}"' for c in CSV_COLUMNS)
    text = header + '\r\n"2026-10-02";"REH";"X"\r\n'
    # when / then
    with pytest.raises(AneelFormatError, match="line 2"):
        records_from_text(text)


def test_shipped_snapshot_is_in_the_exact_published_format():
    # given the snapshot bytes
    raw = SNAPSHOT_PATH.read_bytes()
    lines = raw.split(b"\r\n")
    # when
    records = list(csv_file_records(SNAPSHOT_PATH))
    # then header, quoting, CRLF, decimal comma and the real rows are there
    assert lines[0].decode() == ";".join(f'"{c}"' for c in CSV_COLUMNS)
    assert lines[-1] == b""
    assert b"\n" not in raw.replace(b"\r\n", b"")
    for line in lines[1:-1]:
        fields = line.decode().split('";"')
        assert len(fields) == 17
        assert line.startswith(b'"') and line.endswith(b'"')
    assert len(records) == len(lines) - 2
    published = [
        r
        for r in records
        if r.sig_agente == "ELETROPAULO" and r.subgroup == "B3" and r.resolution.startswith("RESOLUÇÃO")
    ]
    assert {(str(r.valid_from), r.detail, r.tusd, r.te) for r in published} >= {
        ("2026-01-01", "Não se aplica", Decimal("432.44"), Decimal("292.74")),
        ("2026-01-01", "SCEE", Decimal("432.44"), Decimal("36.98")),
        ("2024-07-04", "Não se aplica", Decimal("373.17"), Decimal("263.07")),
        ("2024-07-04", "SCEE", Decimal("373.17"), Decimal("45.24")),
    }


def test_prune_drops_expired_entries_and_their_files(ckan_server):
    # given an expired CSV download and a fresh JSON answer
    client = make_client()
    path, _ = client.csv_download()
    AneelCache.objects.update(expires_at=timezone.now() - timedelta(days=1))
    client.datastore_search(limit=5)
    # when
    removed = aneel_cache_prune()
    # then
    assert removed == 1
    assert not path.exists()
    assert AneelCache.objects.count() == 1

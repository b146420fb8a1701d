"""The distributor HTTP client against the local feed server: retries, typed errors,
conditional requests, politeness, size cap."""

import itertools
import shutil
import socket

import pytest

from catalog.distributor_http import (
    DistributorAuthError,
    DistributorClient,
    DistributorRequestError,
    DistributorUnavailable,
    FeedTooLarge,
)
from catalog.feedserver import start_feed_server
from catalog.fixtures.constants import FEEDS_DIR, FORTLEV_TOKEN

CSV = "/odex/tabela-precos.csv"
XML = "/solfacil/feed/produtos.xml"


def fast_client(distributor, **kwargs) -> DistributorClient:
    return DistributorClient(distributor, **{"backoff_base_s": 0.01, "backoff_max_s": 0.05, **kwargs})


def test_get_returns_body_and_validators_with_a_descriptive_user_agent(feed_server, make_distributor):
    # given
    odex = make_distributor("odex")

    # when
    with fast_client(odex) as client:
        response = client.get(feed_server.base_url + CSV)

    # then
    assert response.status_code == 200
    assert response.content == (FEEDS_DIR / "odex" / "tabela-precos.csv").read_bytes()
    assert response.charset == "windows-1252"
    assert response.etag and response.last_modified
    assert not response.not_modified
    (request,) = feed_server.requests_to(CSV)
    assert request.headers["User-Agent"].startswith("YSH-CatalogBot/")


def test_503_twice_then_200_succeeds_after_retries(feed_server, make_distributor):
    # given
    feed_server.fault_add(XML, status=503, times=2)

    # when
    with fast_client(make_distributor("solfacil")) as client:
        response = client.get(feed_server.base_url + XML)

    # then
    assert response.status_code == 200
    assert response.content.startswith(b"<?xml")
    assert len(feed_server.requests_to(XML)) == 3


def test_permanent_500_raises_unavailable_after_the_retry_cap(feed_server, make_distributor):
    # given
    feed_server.fault_add(XML, status=500)

    # when
    with (
        fast_client(make_distributor("solfacil"), max_attempts=3) as client,
        pytest.raises(DistributorUnavailable) as caught,
    ):
        client.get(feed_server.base_url + XML)

    # then
    assert caught.value.status == 500
    assert caught.value.attempts == 3
    assert len(feed_server.requests_to(XML)) == 3


def test_429_waits_for_retry_after(feed_server, make_distributor):
    # given
    feed_server.fault_add(XML, status=429, times=1, retry_after="1")

    # when
    with fast_client(make_distributor("solfacil")) as client:
        response = client.get(feed_server.base_url + XML)

    # then
    first, second = feed_server.requests_to(XML)
    assert response.status_code == 200
    assert second.at - first.at >= 0.95


def test_missing_bearer_token_is_an_auth_error_and_not_retried(feed_server, make_distributor):
    # given
    fortlev = make_distributor("fortlev")

    # when
    with fast_client(fortlev) as client, pytest.raises(DistributorAuthError) as caught:
        client.get(fortlev.feed_url)

    # then
    assert caught.value.status == 401
    assert len(feed_server.requests_to("/fortlev/")) == 1


def test_bearer_token_opens_the_api(feed_server, make_distributor):
    # given
    fortlev = make_distributor("fortlev")

    # when
    with fast_client(fortlev) as client:
        response = client.get(fortlev.feed_url, headers={"Authorization": f"Bearer {FORTLEV_TOKEN}"})

    # then
    assert response.status_code == 200
    assert response.content.startswith(b'{"data":[')


def test_404_is_a_request_error_and_not_retried(feed_server, make_distributor):
    # when
    with fast_client(make_distributor("odex")) as client, pytest.raises(DistributorRequestError) as caught:
        client.get(feed_server.base_url + "/odex/nao-existe.csv")

    # then
    assert caught.value.status == 404
    assert len(feed_server.requests_to("/odex/")) == 1


def test_conditional_request_turns_304_into_unchanged_with_the_cached_body(feed_server, make_distributor):
    # given
    odex = make_distributor("odex")
    with fast_client(odex) as client:
        first = client.get(feed_server.base_url + CSV)

    # when
    with fast_client(odex) as client:
        second = client.get(feed_server.base_url + CSV)

    # then
    assert second.not_modified
    assert second.status_code == 304
    assert second.content == first.content
    _, conditional = feed_server.requests_to(CSV)
    assert conditional.headers["If-None-Match"] == first.etag
    assert conditional.headers["If-Modified-Since"] == first.last_modified


def test_validators_are_kept_per_distributor(feed_server, make_distributor):
    # given
    with fast_client(make_distributor("odex")) as client:
        client.get(feed_server.base_url + CSV)

    # when
    with fast_client(make_distributor("solfacil")) as client:
        response = client.get(feed_server.base_url + CSV)

    # then
    assert not response.not_modified
    assert "If-None-Match" not in feed_server.requests_to(CSV)[1].headers


def test_unconditional_request_ignores_the_cache(feed_server, make_distributor):
    # given
    odex = make_distributor("odex")
    with fast_client(odex) as client:
        client.get(feed_server.base_url + CSV)

    # when
    with fast_client(odex) as client:
        response = client.get(feed_server.base_url + CSV, conditional=False)

    # then
    assert response.status_code == 200
    assert "If-None-Match" not in feed_server.requests_to(CSV)[1].headers


def test_a_changed_file_is_fetched_again(tmp_path, make_distributor):
    # given
    shutil.copytree(FEEDS_DIR / "odex", tmp_path / "odex")
    server, base_url = start_feed_server(root=tmp_path)
    try:
        odex = make_distributor("odex")
        with fast_client(odex) as client:
            before = client.get(base_url + CSV)
        target = tmp_path / "odex" / "tabela-precos.csv"
        target.write_bytes(target.read_bytes().replace(b";363,00;", b";359,00;", 1))

        # when
        with fast_client(odex) as client:
            after = client.get(base_url + CSV)
    finally:
        server.stop()

    # then
    assert not after.not_modified
    assert after.etag != before.etag
    assert b";359,00;" in after.content


def test_slow_response_times_out_and_is_retried(feed_server, make_distributor):
    # given
    feed_server.fault_add(XML, delay=1.5, times=1)

    # when
    with fast_client(make_distributor("solfacil"), timeout=0.3) as client:
        response = client.get(feed_server.base_url + XML)

    # then
    assert response.status_code == 200
    assert len(feed_server.requests_to(XML)) == 2


def test_connection_refused_is_unavailable(make_distributor):
    # given
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    # when
    with (
        fast_client(make_distributor("odex"), max_attempts=2) as client,
        pytest.raises(DistributorUnavailable) as caught,
    ):
        client.get(f"http://127.0.0.1:{port}/odex/tabela-precos.csv")

    # then
    assert "ConnectError" in str(caught.value)
    assert caught.value.attempts == 2


def test_response_over_the_size_cap_is_refused_without_retrying(feed_server, make_distributor):
    # when
    with fast_client(make_distributor("odex"), max_bytes=10_000) as client, pytest.raises(FeedTooLarge):
        client.get(feed_server.base_url + CSV)

    # then
    assert len(feed_server.requests_to(CSV)) == 1


def test_politeness_delay_spaces_requests_to_the_same_distributor(feed_server, make_distributor):
    # given
    solfacil = make_distributor("solfacil", politeness_delay_ms=200)

    # when
    with DistributorClient(solfacil) as client:
        for _ in range(3):
            client.get(feed_server.base_url + XML, conditional=False)

    # then
    times = [r.at for r in feed_server.requests_to(XML)]
    assert len(times) == 3
    assert all(later - earlier >= 0.18 for earlier, later in itertools.pairwise(times))


def test_unsupported_scheme_is_refused(make_distributor):
    # when / then
    with fast_client(make_distributor("odex")) as client, pytest.raises(DistributorRequestError):
        client.get("file:///etc/passwd")

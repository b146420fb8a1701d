"""Roof analysis: the Google Solar API client over real HTTP (local server, real-format fixture), the
three-level cache (address → coordinates → ~11 m), the 90-day TTL, reuse counters and fallbacks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from engineering.models import PhotogrammetryAnalysis
from engineering.photogrammetry import (
    PhotogrammetryError,
    PhotogrammetryUnavailable,
    address_hash,
    address_normalize,
    coordinates_hash,
    photogrammetry_analyze,
    photogrammetry_lookup,
)
from engineering.solar_api import (
    BuildingNotFound,
    SolarApiClient,
    SolarApiNotConfigured,
    SolarApiRequestError,
    SolarApiUnavailable,
)
from engineering.tests.solar_server import API_KEY, SolarApiServer

LAT, LON = -23.5617339, -46.6558971
ADDRESS = "Av. Paulista, nº 1000 - Bela Vista, São Paulo - SP, 01310-100"


@pytest.fixture
def solar_server():
    with SolarApiServer() as server:
        yield server


@pytest.fixture
def solar_client(solar_server):
    return SolarApiClient(api_key=API_KEY, base_url=solar_server.url, retries=2, backoff=0.01)


def test_client_parses_building_insights(solar_client, solar_server):
    # when
    insights = solar_client.building_insights(lat=LAT, lon=LON)
    # then
    assert insights.max_panels == 28
    assert insights.max_array_area_m2 == pytest.approx(54.97)
    assert insights.whole_roof_area_m2 == pytest.approx(121.48)
    assert insights.imagery_quality == "HIGH"
    assert str(insights.imagery_date) == "2023-06-18"
    assert len(insights.segments) == 3
    assert insights.main_segment.azimuth_deg == pytest.approx(8.9)  # the north face is the largest
    assert insights.main_segment.pitch_deg == pytest.approx(17.4)
    sent = solar_server.requests[-1]
    assert sent["path"] == "/v1/buildingInsights:findClosest"
    assert sent["query"]["location.latitude"] == f"{LAT:.6f}"
    assert sent["query"]["requiredQuality"] == "MEDIUM"


def test_client_errors_are_typed(solar_client, solar_server):
    with pytest.raises(BuildingNotFound):
        solar_client.building_insights(lat=-10.0, lon=-50.0)
    with pytest.raises(SolarApiRequestError) as exc:
        SolarApiClient(api_key="wrong", base_url=solar_server.url).building_insights(lat=LAT, lon=LON)
    assert exc.value.reason == "PERMISSION_DENIED"
    with pytest.raises(SolarApiNotConfigured):
        SolarApiClient(api_key="", base_url=solar_server.url).building_insights(lat=LAT, lon=LON)


def test_client_retries_server_errors_then_succeeds(solar_client, solar_server):
    # given two 503 answers before a good one
    solar_server.fail_with, solar_server.fail_times = 503, 2
    # when
    insights = solar_client.building_insights(lat=LAT, lon=LON)
    # then
    assert insights.max_panels == 28
    assert len(solar_server.requests) == 3


def test_client_gives_up_after_the_retries(solar_client, solar_server):
    solar_server.fail_with, solar_server.fail_times = 500, 10
    with pytest.raises(SolarApiUnavailable) as exc:
        solar_client.building_insights(lat=LAT, lon=LON)
    assert exc.value.attempts == 3


def test_client_unreachable_server_is_unavailable(free_tcp_port):
    unreachable = SolarApiClient(
        api_key=API_KEY, base_url=f"http://127.0.0.1:{free_tcp_port}", retries=1, backoff=0.01
    )
    with pytest.raises(SolarApiUnavailable):
        unreachable.building_insights(lat=LAT, lon=LON)


def test_address_normalization_is_stable_across_spellings():
    assert address_normalize(ADDRESS) == "avenida paulista 1000 bela vista sao paulo sp 01310100"
    assert address_hash("AVENIDA PAULISTA 1000, Bela Vista, Sao Paulo SP 01310100") == address_hash(ADDRESS)
    assert coordinates_hash(-23.561734, -46.655897) == coordinates_hash(LAT, LON)


@pytest.mark.django_db
def test_first_call_asks_the_provider_and_second_hits_the_address_cache(solar_client, solar_server):
    # when
    first = photogrammetry_analyze(
        provider="google_solar", address=ADDRESS, lat=LAT, lon=LON, client=solar_client
    )
    second = photogrammetry_analyze(
        provider="google_solar", address=ADDRESS.upper(), lat=LAT, lon=LON, client=solar_client
    )
    # then
    assert first.cache_hit is False
    analysis = first.analysis
    assert analysis.usable_area_m2 == Decimal("55.0")
    assert analysis.total_area_m2 == Decimal("121.5")
    assert analysis.tilt_deg == Decimal("17.4")
    assert analysis.system_size_kwp == Decimal("11.20")  # 28 × 400 W
    assert analysis.api_calls == 1
    assert analysis.expires_at - analysis.created_at == pytest.approx(
        timedelta(days=90), abs=timedelta(seconds=5)
    )
    assert (second.cache_hit, second.level) == (True, "address")
    assert second.analysis.pk == analysis.pk
    assert second.analysis.times_reused == 1
    assert len(solar_server.requests) == 1  # the provider was asked once


@pytest.mark.django_db
def test_coordinate_and_proximity_levels(solar_client, solar_server):
    # given an analysis stored for the building
    photogrammetry_analyze(provider="google_solar", address=ADDRESS, lat=LAT, lon=LON, client=solar_client)
    # when asked without the address, at the same point rounded to 5 decimals
    same = photogrammetry_lookup(lat=LAT + 0.000001, lon=LON)
    # and 5 m away (0.000045° of latitude)
    near = photogrammetry_lookup(lat=LAT + 0.000045, lon=LON)
    # and 30 m away
    far = photogrammetry_lookup(lat=LAT + 0.00027, lon=LON)
    # then
    assert same[1] == "coordinates"
    assert near[1] == "proximity"
    assert far == (None, None)


@pytest.mark.django_db
def test_expired_entries_do_not_hit_but_serve_as_fallback_when_the_provider_is_down(
    solar_client, solar_server
):
    # given an analysis past its 90 days
    first = photogrammetry_analyze(
        provider="google_solar", address=ADDRESS, lat=LAT, lon=LON, client=solar_client
    )
    PhotogrammetryAnalysis.objects.filter(pk=first.analysis.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    assert photogrammetry_lookup(address=ADDRESS) == (None, None)
    # when the provider fails
    solar_server.fail_with, solar_server.fail_times = 503, 10
    result = photogrammetry_analyze(
        provider="google_solar", address=ADDRESS, lat=LAT, lon=LON, client=solar_client
    )
    # then the stale entry is served and flagged
    assert result.stale is True
    assert result.analysis.pk == first.analysis.pk
    assert result.note  # says the provider is down and this is the last analysis


@pytest.mark.django_db
def test_provider_down_with_nothing_cached_is_a_503_suggesting_manual_entry(solar_client, solar_server):
    solar_server.fail_with, solar_server.fail_times = 503, 10
    with pytest.raises(PhotogrammetryUnavailable) as exc:
        photogrammetry_analyze(provider="google_solar", lat=LAT, lon=LON, client=solar_client)
    assert exc.value.status_code == 503
    assert exc.value.extra["fallback"] == "manual"
    assert PhotogrammetryAnalysis.objects.count() == 0


@pytest.mark.django_db
def test_no_building_is_a_field_error(solar_client):
    with pytest.raises(PhotogrammetryError) as exc:
        photogrammetry_analyze(provider="google_solar", lat=-10.0, lon=-50.0, client=solar_client)
    assert "lat" in exc.value.extra


@pytest.mark.django_db
def test_manual_entry_is_stored_and_then_found_by_address():
    # when
    result = photogrammetry_analyze(
        provider="manual",
        address="Rua das Flores, 12, Curitiba PR",
        manual={
            "total_area_m2": 80,
            "usable_area_m2": 50,
            "tilt_deg": 15,
            "azimuth_deg": 350,
            "annual_shade_pct": 5,
        },
    )
    hit, level = photogrammetry_lookup(address="R. das Flores 12 Curitiba - PR")
    # then
    assert result.analysis.provider == "manual"
    assert result.analysis.usable_area_m2 == Decimal("50.0")
    assert (hit.pk, level) == (result.analysis.pk, "address")


@pytest.mark.django_db
def test_manual_entry_rejects_impossible_values():
    with pytest.raises(PhotogrammetryError) as exc:
        photogrammetry_analyze(
            provider="manual",
            address="Rua A, 1",
            manual={"total_area_m2": 40, "usable_area_m2": 60, "tilt_deg": 120},
        )
    assert set(exc.value.extra) == {"usable_area_m2", "tilt_deg"}
    assert PhotogrammetryAnalysis.objects.count() == 0


@pytest.mark.django_db
def test_coordinates_outside_brazil_are_rejected():
    with pytest.raises(PhotogrammetryError) as exc:
        photogrammetry_analyze(provider="manual", lat=40.7, lon=-74.0, manual={"total_area_m2": 10})
    assert set(exc.value.extra) == {"lat"}

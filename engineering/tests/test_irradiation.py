"""Irradiation by location: PVGIS TMY over HTTP (fixture server), PVLibCache TTL, and the offline
fallback to the LABREN Atlas table of the state capitals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from engineering.irradiation import capital_climates, irradiation_for, pvlib_cache_prune
from engineering.location import LocationError
from engineering.models import PVLibCache
from engineering.tests.fixture_servers import SAO_PAULO

pytestmark = pytest.mark.django_db

#: Annual means (kWh/m²/day) DOMAIN.md quotes from the Atlas GHI file.
DOMAIN_ANNUAL_GHI = {
    "São Paulo": 4.45,
    "Belo Horizonte": 5.13,
    "Rio de Janeiro": 4.73,
    "Brasília": 5.25,
    "Fortaleza": 5.78,
    "Curitiba": 4.19,
    "Porto Alegre": 4.43,
    "Salvador": 5.37,
    "Manaus": 4.32,
    "Cuiabá": 5.11,
}


def monthly_means_of(document: dict) -> list[float]:
    """The fixture's monthly mean daily GHI computed straight from its hourly rows."""
    sums, hours = [0.0] * 12, [0] * 12
    for row in document["outputs"]["tmy_hourly"]:
        month = int(row["time(UTC)"][4:6])
        sums[month - 1] += row["G(h)"]
        hours[month - 1] += 1
    return [s / (h / 24) / 1000 for s, h in zip(sums, hours, strict=True)]


def test_atlas_table_covers_every_capital_and_matches_domain_annual_means():
    # given / when
    climates = capital_climates()
    # then
    assert len(climates) == 27
    assert len({c.uf for c in climates}) == 27
    for climate in climates:
        assert len(climate.ghi) == len(climate.temp) == 12
        assert 3.5 < sum(climate.ghi) / 12 < 6.0
        if climate.name in DOMAIN_ANNUAL_GHI:
            assert sum(climate.ghi) / 12 == pytest.approx(DOMAIN_ANNUAL_GHI[climate.name], abs=0.01)


def test_offline_falls_back_to_the_nearest_capital_and_says_so():
    # given PVGIS unreachable (every engineering test runs offline unless it asks for a server)
    # when a point in Campinas (asked in English, the note's source language)
    with translation.override("en"):
        result = irradiation_for(lat=-22.9064, lon=-47.0616)
    # then São Paulo's Atlas series, reported as a fallback, not cached
    assert result.source == "atlas-capitals"
    assert result.nearest_capital == "São Paulo/SP"
    assert 75 < result.distance_km < 95
    assert result.monthly_ghi_kwh_m2_day[0] == 5.222
    assert result.annual_ghi_kwh_m2_day == pytest.approx(4.45, abs=0.01)
    assert result.cached is False
    assert "LABREN" in result.note
    assert "PVGIS unreachable" in result.note
    assert len(result.monthly_temp_c) == 12
    assert PVLibCache.objects.count() == 0


def test_pvgis_tmy_is_fetched_reduced_to_monthly_means_and_cached(pvgis_server):
    # given
    lat, lon = SAO_PAULO
    # when
    result = irradiation_for(lat=lat, lon=lon)
    # then the monthly means are those of the hourly document, stored for 7 days
    assert result.source == "pvgis-tmy"
    assert result.cached is False
    assert result.nearest_capital is None
    assert result.monthly_ghi_kwh_m2_day == pytest.approx(monthly_means_of(pvgis_server.document), abs=1e-3)
    assert result.monthly_ghi_kwh_m2_day[0] == pytest.approx(5.222 * 1.03, abs=0.01)
    assert "PVGIS-SARAH3" in result.note
    assert pvgis_server.calls() == 1
    request = pvgis_server.server.requests[0]
    assert (request.query["lat"], request.query["lon"]) == ("-23.53", "-46.64")
    entry = PVLibCache.objects.get()
    assert entry.key == "pvgis-tmy:-23.53:-46.64"
    assert (entry.lat, entry.lon) == (Decimal("-23.53"), Decimal("-46.64"))
    assert entry.expires_at - entry.fetched_at == timedelta(days=7)
    assert entry.payload["radiation_db"] == "PVGIS-SARAH3"


def test_second_request_within_ttl_is_served_from_cache_for_nearby_points(pvgis_server):
    # given a first request
    first = irradiation_for(lat=-23.5339, lon=-46.6403)
    # when a point ~60 m away (same 2-decimal key)
    second = irradiation_for(lat=-23.5342, lon=-46.6398)
    # then
    assert second.source == "cache"
    assert second.cached is True
    assert second.monthly_ghi_kwh_m2_day == first.monthly_ghi_kwh_m2_day
    assert pvgis_server.calls() == 1
    assert PVLibCache.objects.get().hits == 1


def test_after_seven_days_pvgis_is_asked_again(pvgis_server):
    # given
    irradiation_for(lat=-23.5339, lon=-46.6403)
    PVLibCache.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    # when
    result = irradiation_for(lat=-23.5339, lon=-46.6403)
    # then
    assert result.source == "pvgis-tmy"
    assert pvgis_server.calls() == 2
    assert PVLibCache.objects.count() == 1


def test_pvgis_errors_fall_back_and_are_not_retried_for_a_while(pvgis_server):
    # given PVGIS answers 500
    pvgis_server.server.fail_next(5, 500)
    # when two requests follow
    first = irradiation_for(lat=-15.78, lon=-47.93)
    second = irradiation_for(lat=-15.79, lon=-47.92)
    # then both use the Atlas and only the first reached PVGIS
    assert first.source == second.source == "atlas-capitals"
    assert first.nearest_capital == "Brasília/DF"
    assert pvgis_server.calls() == 1
    assert PVLibCache.objects.count() == 0


def test_point_pvgis_refuses_falls_back_with_the_reason(pvgis_server):
    # given a point at sea off Sergipe/Bahia, inside the bounding box
    # when
    result = irradiation_for(lat=-13.0, lon=-34.0)
    # then
    assert result.source == "atlas-capitals"
    assert result.nearest_capital == "Aracaju/SE"
    assert "over the sea" in result.note


def test_disabled_pvgis_is_not_called(pvgis_server, settings):
    # given
    settings.PVGIS_ENABLED = "false"
    # when
    result = irradiation_for(lat=-3.72, lon=-38.54)
    # then
    assert result.source == "atlas-capitals"
    assert result.nearest_capital == "Fortaleza/CE"
    assert result.distance_km < 1
    assert pvgis_server.calls() == 0


@pytest.mark.parametrize(("lat", "lon", "field"), [(40.0, -47.0, "lat"), (-15.0, 10.0, "lon")])
def test_points_outside_brazil_are_rejected(lat, lon, field):
    # given / when
    with pytest.raises(LocationError) as info:
        irradiation_for(lat=lat, lon=lon)
    # then
    assert info.value.field == field


def test_prune_removes_expired_entries(pvgis_server):
    # given one expired and one fresh entry
    irradiation_for(lat=-23.5339, lon=-46.6403)
    PVLibCache.objects.update(expires_at=timezone.now() - timedelta(days=1))
    PVLibCache.objects.create(
        key="pvgis-tmy:-3.72:-38.54",
        lat=Decimal("-3.72"),
        lon=Decimal("-38.54"),
        source="pvgis-tmy",
        payload={},
        fetched_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    # when
    removed = pvlib_cache_prune()
    # then
    assert removed == 1
    assert list(PVLibCache.objects.values_list("key", flat=True)) == ["pvgis-tmy:-3.72:-38.54"]

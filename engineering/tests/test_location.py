"""Location from coordinates, CEP (ViaCEP fixture server) or city/state."""

import pytest

from engineering.location import (
    LocationError,
    capitals,
    haversine_km,
    location_resolve,
    municipalities,
)
from engineering.viacep import CepInvalid, CepNotFound, ViaCepClient, cep_normalize


def test_coordinates_inside_brazil_are_used_as_given():
    # given / when
    location = location_resolve(lat="-23.5505", lon="-46,6333")
    # then
    assert (location.lat, location.lon) == (-23.5505, -46.6333)
    assert location.source == "coordinates"


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (10.0, -50.0, "lat"),
        (-40.0, -50.0, "lat"),
        (-15.0, -20.0, "lon"),
        (-15.0, -80.0, "lon"),
        ("abc", -50.0, "lat"),
        (-15.0, "nan", "lon"),
        (-15.0, None, "lon"),
        (None, -47.9, "lat"),
    ],
)
def test_bad_coordinates_are_field_errors(lat, lon, field):
    # given / when
    with pytest.raises(LocationError) as info:
        location_resolve(lat=lat, lon=lon)
    # then
    assert info.value.field == field
    assert info.value.status_code == 400
    assert field in info.value.as_payload()


@pytest.mark.parametrize("cep", ["123", "0100100", "01001-0000", "ABCDEFGH", "01 001 00"])
def test_malformed_cep_is_rejected_without_calling_out(viacep_server, cep):
    # given / when
    with pytest.raises(LocationError) as info:
        location_resolve(cep=cep)
    # then
    assert info.value.field == "cep"
    assert viacep_server.lookups() == 0


def test_cep_resolves_through_viacep_to_the_municipality(viacep_server):
    # given / when
    location = location_resolve(cep="01001-000")
    # then
    assert (location.city, location.state, location.ibge) == ("São Paulo", "SP", "3550308")
    assert location.source == "viacep"
    assert (location.lat, location.lon) == (-23.5339, -46.6403)
    assert viacep_server.server.requests[0].path == "/ws/01001000/json/"


def test_cep_lookups_are_cached(viacep_server):
    # given
    location_resolve(cep="01001000")
    # when
    location = location_resolve(cep="01001-000")
    # then
    assert location.city == "São Paulo"
    assert viacep_server.lookups() == 1


def test_cep_of_a_major_municipality_uses_its_seat(viacep_server):
    # given / when
    location = location_resolve(cep="13010-111")
    # then
    assert (location.city, location.state) == ("Campinas", "SP")
    assert (location.lat, location.lon) == (-22.9064, -47.0616)


def test_cep_of_a_municipality_outside_the_table_uses_the_state_capital(viacep_server):
    # given Sorriso/MT, not in the shipped table
    # when
    location = location_resolve(cep="78890-000")
    # then
    assert (location.city, location.state, location.ibge) == ("Sorriso", "MT", "5107925")
    cuiaba = next(c for c in capitals() if c.uf == "MT")
    assert (location.lat, location.lon) == (cuiaba.lat, cuiaba.lon)
    assert "Cuiabá" in location.note


@pytest.mark.parametrize("cep", ["99999-999", "88888888"])
def test_cep_not_found_both_erro_spellings(viacep_server, cep):
    # given ViaCEP answers {"erro": true} or {"erro": "true"}
    # when
    with pytest.raises(LocationError) as info:
        location_resolve(cep=cep)
    # then
    assert info.value.field == "cep"
    assert viacep_server.lookups() == 1


def test_viacep_down_falls_back_to_the_cep_range_state(closed_port_url):
    # given nothing listens where ViaCEP should be
    client = ViaCepClient(base_url=closed_port_url + "/ws/", backoff_s=0, retries=0)
    # when
    location = location_resolve(cep="30130-010", viacep=client)
    # then
    assert location.source == "cep-range"
    assert location.state == "MG"
    assert location.city is None
    assert "Belo Horizonte" in location.note


def test_viacep_client_maps_answers_to_typed_results(viacep_server):
    # given
    client = ViaCepClient()
    # when
    address = client.lookup("01001000")
    # then
    assert address.street == "Praça da Sé"
    assert address.ddd == "11"
    with pytest.raises(CepNotFound):
        client.lookup("88888888")
    with pytest.raises(CepInvalid):
        client.lookup("1234")
    assert cep_normalize(" 01.001-000 ") == "01001000"


@pytest.mark.parametrize(
    ("city", "state", "expected"),
    [
        ("Curitiba", "PR", ("Curitiba", "PR")),
        ("sao paulo", "sp", ("São Paulo", "SP")),
        ("Uberlândia", None, ("Uberlândia", "MG")),
    ],
)
def test_city_and_state_resolve_from_the_table(city, state, expected):
    # given / when
    location = location_resolve(city=city, state=state)
    # then
    assert (location.city, location.state) == expected
    assert location.source == "city"


def test_unknown_city_and_state_are_field_errors():
    # given / when / then
    with pytest.raises(LocationError) as info:
        location_resolve(city="Cidade Inexistente", state="SP")
    assert info.value.field == "city"
    with pytest.raises(LocationError) as info:
        location_resolve(city="Curitiba", state="XX")
    assert info.value.field == "state"


def test_nothing_given_is_an_error():
    # given / when / then
    with pytest.raises(LocationError) as info:
        location_resolve()
    assert info.value.field == "location"


def test_shipped_table_has_every_capital_once_and_unique_ibge_codes():
    # given / when
    table = municipalities()
    # then
    assert len(capitals()) == 27
    assert len({c.uf for c in capitals()}) == 27
    codes = [m.ibge for m in table]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 7 and code.isdigit() for code in codes)
    assert all(-33.8 < m.lat < 5.3 and -74.1 < m.lon < -32.3 for m in table)
    assert 3000 < haversine_km(-3.7174, -38.5429, -30.0327, -51.2074) < 3300  # Fortaleza–Porto Alegre

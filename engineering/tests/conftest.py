"""Engineering test fixtures: the external systems (ANEEL CKAN, ViaCEP, PVGIS) played by small HTTP
servers on 127.0.0.1 serving their real formats. One server per session, reset for every test.

- ``fixture_server``: a generic server; ``route(path, handler)`` registers ``handler(request) ->
  (status, headers, body)``; ``requests`` lists what was asked; ``fail_next(n, status)`` makes the
  next ``n`` requests answer ``status``.
- ``ckan_server``: ANEEL CKAN (``datastore_search`` with filters/paging/``_links.next`` and the CSV
  resource) over ``ckan_server.rows`` (editable); settings point ``ANEEL_CKAN_URL`` at it.
- ``viacep_server``: ``/ws/<cep>/json/`` with ``viacep_server.ceps`` (editable).
- ``pvgis_server``: ``/api/tmy`` answering a PVGIS TMY JSON document for São Paulo built by
  ``pvgis_tmy_document`` (real PVGIS 5.3 layout, values synthesized from the Atlas monthly means).
- ``closed_port_url``: a URL where nothing listens (connection refused).
"""

import json

import pytest

from engineering.tests.fixture_servers import (
    CSV_PATH,
    RESOURCE_ID,
    SAO_PAULO,
    VIACEP_SE,
    CkanFixture,
    FixtureServer,
    PvgisFixture,
    SeenRequest,
    ViaCepFixture,
    _closed_port_url,
    _datastore_handler,
    ckan_csv,
    ckan_default_rows,
    pvgis_tmy_document,
)


@pytest.fixture(scope="session")
def _fixture_server_session():
    server = FixtureServer().start()
    yield server
    server.stop()


@pytest.fixture
def fixture_server(_fixture_server_session) -> FixtureServer:
    _fixture_server_session.reset()
    yield _fixture_server_session
    _fixture_server_session.reset()


@pytest.fixture
def closed_port_url() -> str:
    return _closed_port_url()


@pytest.fixture(autouse=True)
def _external_systems_offline(settings):
    """No engineering test reaches the internet: PVGIS, ANEEL and ViaCEP point at a closed local
    port unless a test asks for one of the fixture servers below (which re-point them)."""
    offline = _closed_port_url()
    settings.PVGIS_URL = offline + "/api/"
    settings.ANEEL_CKAN_URL = offline
    settings.VIACEP_URL = offline + "/ws/"


# --- ANEEL CKAN -------------------------------------------------------------------------------
@pytest.fixture
def ckan_server(fixture_server, settings) -> CkanFixture:
    ckan = CkanFixture(server=fixture_server, rows=ckan_default_rows())
    fixture_server.route("/api/3/action/datastore_search", _datastore_handler(ckan))
    fixture_server.route(
        CSV_PATH, lambda request: (200, {"Content-Type": "text/csv; charset=utf-8"}, ckan_csv(ckan.rows))
    )
    settings.ANEEL_CKAN_URL = fixture_server.base_url
    settings.ANEEL_TARIFFS_RESOURCE_ID = RESOURCE_ID
    return ckan


# --- ViaCEP -----------------------------------------------------------------------------------
@pytest.fixture
def viacep_server(fixture_server, settings) -> ViaCepFixture:
    viacep = ViaCepFixture(
        server=fixture_server,
        ceps={
            "01001000": VIACEP_SE,
            "13010111": {
                **VIACEP_SE,
                "cep": "13010-111",
                "logradouro": "Rua Barão de Jaguara",
                "localidade": "Campinas",
                "ibge": "3509502",
                "ddd": "19",
            },
            "78890000": {
                **VIACEP_SE,
                "cep": "78890-000",
                "logradouro": "",
                "bairro": "",
                "localidade": "Sorriso",
                "uf": "MT",
                "estado": "Mato Grosso",
                "regiao": "Centro-Oeste",
                "ibge": "5107925",
                "ddd": "66",
            },
            "99999999": {"erro": True},
            "88888888": {"erro": "true"},
        },
    )

    def handle(request: SeenRequest):
        parts = request.path.strip("/").split("/")
        cep = parts[1] if len(parts) >= 3 else ""
        if not (len(cep) == 8 and cep.isdigit()):
            return (
                400,
                {"Content-Type": "text/html"},
                "<h3>Http 400</h3><p>Verifique a sua URL (Bad Request)</p>",
            )
        document = viacep.ceps.get(cep, {"erro": True})
        return (
            200,
            {"Content-Type": "application/json; charset=utf-8"},
            json.dumps(document, ensure_ascii=False),
        )

    fixture_server.route("/ws/*", handle)
    settings.VIACEP_URL = viacep.base_url
    return viacep


# --- PVGIS ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pvgis_sao_paulo_document() -> dict:
    return pvgis_tmy_document(*SAO_PAULO)


@pytest.fixture
def pvgis_server(fixture_server, settings, pvgis_sao_paulo_document) -> PvgisFixture:
    pvgis = PvgisFixture(server=fixture_server, document=pvgis_sao_paulo_document)
    body = json.dumps(pvgis_sao_paulo_document)

    def handle(request: SeenRequest):
        lat, lon = float(request.query.get("lat", 0)), float(request.query.get("lon", 0))
        if lon > -34.7 and lat < -6.0:  # Atlantic east of the coast: PVGIS answers 400 with a message
            message = {"message": "Location over the sea. Please, select another location", "status": 400}
            return 400, {"Content-Type": "application/json"}, json.dumps(message)
        return 200, {"Content-Type": "application/json"}, body

    fixture_server.route("/api/tmy", handle)
    settings.PVGIS_URL = pvgis.base_url
    settings.PVGIS_ENABLED = "true"
    return pvgis


@pytest.fixture
def pvgis_offline(settings, closed_port_url):
    """PVGIS configured at an address where nothing listens (the normal situation here)."""
    settings.PVGIS_URL = closed_port_url + "/api/"
    settings.PVGIS_ENABLED = "true"
    return settings.PVGIS_URL

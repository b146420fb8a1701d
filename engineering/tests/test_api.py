"""Engineering API: the public calculator (anonymous, uuid access, lead hand-off), organization
scoping, bad input as 400 field errors (never 500), financing simulate/compare/credit workflow,
photogrammetry through a local Google Solar API, utilities/tariffs/irradiation."""

import hashlib
import hmac
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from engineering.models import CreditStatus, FinancingSimulation, SolarViabilityAnalysis
from engineering.tests.catalog_setup import analysis_data, solar_catalog
from engineering.tests.factories import FinancingProductFactory
from engineering.tests.solar_server import API_KEY, SolarApiServer
from ysh.users.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

VIABILITY = "/api/v1/engineering/viability/"
SIMULATE = "/api/v1/engineering/financing/simulate/"


class _ViaCep(BaseHTTPRequestHandler):
    """ViaCEP in its real format: 01001000 exists, any other valid CEP answers {"erro": true}."""

    def do_GET(self):
        if self.path.startswith("/ws/01001000/json"):
            body = {
                "cep": "01001-000",
                "logradouro": "Praça da Sé",
                "bairro": "Sé",
                "localidade": "São Paulo",
                "uf": "SP",
                "ibge": "3550308",
                "ddd": "11",
            }
        else:
            body = {"erro": True}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def offline(settings):
    settings.PVGIS_ENABLED = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ViaCep)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.VIACEP_URL = f"http://127.0.0.1:{server.server_port}/ws/"
    yield
    server.shutdown()
    server.server_close()


@pytest.fixture
def catalog(offline):
    return solar_catalog()


def payload(**changes):
    data = analysis_data(**changes)
    data["protocol_date"] = data["protocol_date"].isoformat()
    return {k: v for k, v in data.items() if v is not None}


# --- public calculator ---------------------------------------------------------------------------


def test_anonymous_calculator_stores_an_analysis_without_organization_reachable_by_uuid(api_client, catalog):
    # when
    response = api_client.post(VIABILITY, payload(), format="json")
    # then
    assert response.status_code == 201, response.data
    body = response.data
    assert body["public"] is True
    assert Decimal(body["system_kwp"]) > 0 and body["sizing"]["module_count"] > 0
    assert SolarViabilityAnalysis.objects.get(uuid=body["uuid"]).organization is None
    by_uuid = api_client.get(f"{VIABILITY}{body['uuid']}/")
    assert by_uuid.status_code == 200
    assert by_uuid.data["monthly_savings"] == body["monthly_savings"]
    # the numeric id is not a way in for anonymous callers
    assert api_client.get(f"{VIABILITY}{body['id']}/").status_code == 404


def test_contact_left_on_the_calculator_creates_one_lead_with_the_analysis_reference(
    api_client, catalog, settings
):
    from leads.models import Lead

    # when a visitor leaves a contact with consent
    response = api_client.post(
        VIABILITY,
        {
            **payload(),
            "contact": {
                "name": "Ana",
                "email": "Ana@Example.com",
                "phone": "(11) 99999-8888",
                "consent": True,
                "attribution": {"utm_source": "google", "utm_campaign": "solar-sp", "gclid": "Cj0KCQ"},
            },
        },
        format="json",
    )
    # then exactly one lead, of YSH's storefront, pointing at the analysis
    assert response.status_code == 201, response.data
    analysis = SolarViabilityAnalysis.objects.get(uuid=response.data["uuid"])
    lead = Lead.objects.get()
    assert (lead.source, lead.interest_type, lead.organization) == ("calculator", "solar", None)
    assert (lead.email, lead.phone, lead.consent) == ("ana@example.com", "+5511999998888", True)
    assert lead.metadata["viability_analysis"] == str(analysis.uuid)
    assert lead.metadata["system_kwp"] == str(analysis.system_kwp)
    assert (lead.utm_source, lead.utm_campaign, lead.gclid) == ("google", "solar-sp", "Cj0KCQ")
    # only the HMAC of the caller's IP (the test client's 127.0.0.1), computed here independently
    secret = (settings.IP_HASH_SECRET or settings.SECRET_KEY).encode()
    assert lead.ip_hash == hmac.new(secret, b"127.0.0.1", hashlib.sha256).hexdigest()
    assert (analysis.lead_status, analysis.lead_ref) == ("created", str(lead.pk))


def test_the_same_visitor_on_the_calculator_again_updates_their_lead(api_client, catalog):
    from leads.models import Lead

    # given
    contact = {"name": "Ana", "email": "ana@example.com", "consent": True}
    first = api_client.post(VIABILITY, {**payload(), "contact": contact}, format="json")
    # when
    second = api_client.post(VIABILITY, {**payload(), "contact": contact}, format="json")
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    lead = Lead.objects.get()
    assert lead.capture_count == 2
    assert lead.metadata["viability_analysis"] == second.data["uuid"]


def test_calculator_contact_without_consent_creates_no_lead_and_the_analysis_succeeds(catalog):
    from engineering.services import viability_analysis_create
    from leads.models import Lead

    # given the service called directly (the API refuses it earlier, see the next test)
    data = analysis_data()
    # when
    analysis = viability_analysis_create(
        data=data, contact={"name": "Ana", "email": "ana@example.com", "consent": False}
    )
    # then
    assert SolarViabilityAnalysis.objects.filter(pk=analysis.pk).exists()
    assert analysis.system_kwp > 0
    assert Lead.objects.count() == 0
    assert (analysis.lead_status, analysis.contact_email) == ("", "")


def test_contact_without_consent_is_rejected(api_client, catalog):
    response = api_client.post(
        VIABILITY, {**payload(), "contact": {"email": "ana@example.com"}}, format="json"
    )
    assert response.status_code == 400
    assert "consent" in response.data["contact"]


def test_member_analysis_belongs_to_the_organization_and_is_hidden_from_others(
    member_client, api_client, catalog
):
    # when
    response = member_client.post(VIABILITY, payload(), format="json")
    # then
    assert response.status_code == 201
    analysis = SolarViabilityAnalysis.objects.get(pk=response.data["id"])
    assert analysis.organization == member_client.membership.organization
    assert member_client.get(f"{VIABILITY}{analysis.pk}/").status_code == 200
    other = MembershipFactory()
    from ysh.users.api.serializers import tokens_for

    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(other.user, other)['access']}")
    assert stranger.get(f"{VIABILITY}{analysis.pk}/").status_code == 404
    assert stranger.get(f"{VIABILITY}{analysis.uuid}/").status_code == 404
    assert api_client.get(f"{VIABILITY}{analysis.uuid}/").status_code == 404
    listing = member_client.get(VIABILITY)
    assert [row["id"] for row in listing.data["results"]] == [analysis.pk]
    assert stranger.get(VIABILITY).data["results"] == []


def test_list_query_count_stays_flat(member_client, catalog, django_assert_max_num_queries):
    from engineering.services import viability_analysis_create

    for _n in range(4):
        viability_analysis_create(data=analysis_data(), organization=member_client.membership.organization)
    with django_assert_max_num_queries(8):
        response = member_client.get(VIABILITY)
    assert response.data["count"] == 4


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"monthly_kwh": [-10, *[500] * 11]}, "monthly_kwh"),
        ({"monthly_kwh": [500] * 11}, "monthly_kwh"),
        ({"tilt_deg": 120}, "tilt_deg"),
        ({"azimuth_deg": -5}, "azimuth_deg"),
        ({"lat": 40.7, "lon": -74.0}, "lat"),
        ({"lat": -23.5, "lon": 10.0}, "lon"),
        ({"utility": "NAO-EXISTE"}, "utility"),
        ({"lat": None, "lon": None, "cep": "99999-999"}, "cep"),
        ({"lat": None, "lon": None, "cep": "123"}, "cep"),
        ({"connection_type": "quad"}, "connection_type"),
        ({"target_offset_pct": 500}, "target_offset_pct"),
        ({"module_id": 999999}, "module_id"),
    ],
)
def test_impossible_inputs_are_field_errors(api_client, catalog, changes, field):
    # when
    response = api_client.post(VIABILITY, payload(**changes), format="json")
    # then
    assert response.status_code == 400, response.data
    assert field in response.data
    assert SolarViabilityAnalysis.objects.count() == 0


def test_cep_resolves_through_viacep(api_client, catalog):
    response = api_client.post(VIABILITY, payload(lat=None, lon=None, cep="01001-000"), format="json")
    assert response.status_code == 201, response.data
    assert response.data["context"]["location"]["source"] == "viacep"


def test_empty_catalog_is_a_clear_400(api_client, offline):
    from engineering.tests.factories import TariffFactory, UtilityFactory

    TariffFactory(utility=UtilityFactory(sig_agente="ELETROPAULO", states=["SP"]))
    response = api_client.post(VIABILITY, payload(), format="json")
    assert response.status_code == 400
    assert response.data["code"] == "catalog_empty"


def test_no_valid_configuration_says_which_check_failed(api_client, offline):
    from catalog.models.taxonomy import ProductKind
    from catalog.tests.factories import ProductFactory
    from engineering.tests.catalog_setup import JA_550, growatt
    from engineering.tests.factories import TariffFactory, UtilityFactory

    TariffFactory(utility=UtilityFactory(sig_agente="ELETROPAULO", states=["SP"]))
    ProductFactory(specs=JA_550, min_price=Decimal("700"), in_stock=True)
    # only a 40 kW single-phase inverter: far too big for a house (DC/AC way below 0.9)
    ProductFactory(
        kind=ProductKind.INVERTER, specs=growatt(40), min_price=Decimal("9000"), phases=1, in_stock=True
    )
    response = api_client.post(VIABILITY, payload(), format="json")
    assert response.status_code == 400
    assert response.data["code"] == "sizing_failed"
    assert response.data["failed_check"] == "dc_ac"
    assert response.data["candidates"][0]["failed"][0]["detail"]


def test_member_can_recompute_and_request_the_proposal(
    member_client, catalog, django_capture_on_commit_callbacks
):
    analysis_id = member_client.post(VIABILITY, payload(), format="json").data["id"]
    assert member_client.post(f"{VIABILITY}{analysis_id}/recompute/").status_code == 200
    pending = member_client.get(f"{VIABILITY}{analysis_id}/proposal/")
    assert pending.status_code == 202 and pending.data["status"] == "none"
    with django_capture_on_commit_callbacks(execute=True):
        queued = member_client.post(f"{VIABILITY}{analysis_id}/proposal/")
    assert queued.status_code == 202
    download = member_client.get(f"{VIABILITY}{analysis_id}/proposal/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_anonymous_analysis_has_no_proposal(api_client, catalog):
    uuid = api_client.post(VIABILITY, payload(), format="json").data["uuid"]
    assert api_client.post(f"{VIABILITY}{uuid}/proposal/").status_code in (401, 403)


# --- financing -------------------------------------------------------------------------------------


def test_anonymous_financing_simulation_is_computed_not_stored(api_client):
    FinancingProductFactory(bank="Banco Sol", monthly_rate_pct=Decimal("1.39"))
    FinancingProductFactory(bank="Banco Caro", monthly_rate_pct=Decimal("2.10"))
    response = api_client.post(
        SIMULATE,
        {"system_cost": "25000", "down_payment": "5000", "term_months": 60, "monthly_rate_pct": "1.5"},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["id"] is None
    assert Decimal(response.data["amount"]) == Decimal("20000")
    assert len(response.data["schedule"]) == 60
    assert [o["bank"] for o in response.data["alternatives"]] == ["Banco Sol", "Banco Caro"]  # by CET
    assert FinancingSimulation.objects.count() == 0


def test_member_simulation_is_stored_and_follows_the_credit_workflow(member_client, admin_user):
    product = FinancingProductFactory(bank="Banco Sol")
    response = member_client.post(
        SIMULATE,
        {"system_cost": "30000", "term_months": 48, "product_id": product.pk, "system": "sac"},
        format="json",
    )
    assert response.status_code == 201, response.data
    simulation = FinancingSimulation.objects.get(pk=response.data["id"])
    assert simulation.organization == member_client.membership.organization
    assert simulation.amortization_system == "sac"
    url = f"/api/v1/engineering/financing/simulations/{simulation.pk}/transition/"
    assert member_client.post(url, {"to_status": "requested"}, format="json").status_code == 200
    # the bank's decision is staff-only
    assert member_client.post(url, {"to_status": "under_analysis"}, format="json").status_code == 403
    # an impossible jump is a 400
    staff = APIClient()
    staff.force_authenticate(admin_user)
    MembershipFactory(user=admin_user, organization=member_client.membership.organization)
    staff.credentials(HTTP_X_ORGANIZATION=str(member_client.membership.organization_id))
    assert staff.post(url, {"to_status": "approved"}, format="json").status_code == 400
    assert staff.post(url, {"to_status": "under_analysis"}, format="json").status_code == 200
    rejected = staff.post(url, {"to_status": "rejected"}, format="json")
    assert rejected.status_code == 400 and "rejection_reason" in rejected.data
    approved = staff.post(url, {"to_status": "approved", "approved_amount": "28000"}, format="json")
    assert approved.status_code == 200
    assert approved.data["status"] == CreditStatus.APPROVED
    assert [e["to_status"] for e in approved.data["events"]] == ["requested", "under_analysis", "approved"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"system_cost": "20000", "term_months": 0, "monthly_rate_pct": "1.5"}, "term_months"),
        ({"system_cost": "-1", "term_months": 12, "monthly_rate_pct": "1.5"}, "system_cost"),
        ({"system_cost": "20000", "term_months": 12}, "product_id"),
        (
            {"system_cost": "20000", "down_payment": "25000", "term_months": 12, "monthly_rate_pct": "1"},
            "down_payment",
        ),
        ({"system_cost": "20000", "term_months": 12, "product_id": 99999}, "product_id"),
    ],
)
def test_financing_bad_input(api_client, body, field):
    response = api_client.post(SIMULATE, body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data


def test_product_outside_its_limits_is_a_field_error(api_client):
    product = FinancingProductFactory(max_term_months=36)
    response = api_client.post(
        SIMULATE, {"system_cost": "20000", "term_months": 60, "product_id": product.pk}, format="json"
    )
    assert response.status_code == 400
    assert "product_id" in response.data


# --- photogrammetry --------------------------------------------------------------------------------


def test_photogrammetry_through_the_provider_then_from_the_cache(member_client, settings):
    with SolarApiServer() as server:
        settings.GOOGLE_SOLAR_API_KEY = API_KEY
        settings.GOOGLE_SOLAR_API_URL = server.url
        body = {
            "provider": "google_solar",
            "address": "Av. Paulista, 1000, São Paulo SP",
            "lat": "-23.561734",
            "lon": "-46.655897",
        }
        first = member_client.post("/api/v1/engineering/photogrammetry/", body, format="json")
        second = member_client.post("/api/v1/engineering/photogrammetry/", body, format="json")
    assert first.status_code == 201, first.data
    assert first.data["cache_hit"] is False
    assert first.data["analysis"]["max_panels"] == 28
    assert second.status_code == 200
    assert (second.data["cache_hit"], second.data["level"]) == (True, "address")
    assert len(server.requests) == 1


def test_photogrammetry_requires_membership_and_valid_input(api_client, member_client, settings):
    settings.GOOGLE_SOLAR_API_KEY = ""
    url = "/api/v1/engineering/photogrammetry/"
    assert api_client.post(url, {"provider": "manual"}, format="json").status_code == 401
    assert (
        member_client.post(url, {"provider": "manual", "address": "Rua A, 1"}, format="json").status_code
        == 400
    )
    unconfigured = member_client.post(
        url, {"provider": "google_solar", "lat": "-23.5", "lon": "-46.6"}, format="json"
    )
    assert unconfigured.status_code == 503
    assert unconfigured.data["fallback"] == "manual"


# --- reference data --------------------------------------------------------------------------------


def test_utilities_tariffs_and_irradiation(api_client, catalog):
    utilities = api_client.get("/api/v1/engineering/utilities/?state=SP")
    assert utilities.status_code == 200
    assert [u["code"] for u in utilities.data] == ["ELETROPAULO"]
    assert api_client.get("/api/v1/engineering/utilities/?state=XYZ").status_code == 400
    tariffs = api_client.get("/api/v1/engineering/utilities/ELETROPAULO/tariffs/")
    assert tariffs.status_code == 200
    assert Decimal(tariffs.data["current"]["tusd_rs_mwh"]) == Decimal("472.42")
    assert len(tariffs.data["history"]) == 1
    assert api_client.get("/api/v1/engineering/utilities/NAO-EXISTE/tariffs/").status_code == 400
    irradiation = api_client.get("/api/v1/engineering/irradiation/?lat=-23.55&lon=-46.63")
    assert irradiation.status_code == 200
    assert irradiation.data["source"] == "atlas-capitals"
    assert len(irradiation.data["monthly_ghi_kwh_m2_day"]) == 12
    outside = api_client.get("/api/v1/engineering/irradiation/?lat=48.85&lon=2.35")
    assert outside.status_code == 400 and "lat" in outside.data
    assert api_client.get("/api/v1/engineering/irradiation/").status_code == 400

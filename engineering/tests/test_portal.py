"""Portal: calculator → result with inline-SVG charts → financing comparison → proposal PDF,
scoped to the member's organization; bad input re-renders the form with errors (400)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from engineering.models import FinancingSimulation, ProposalStatus, SolarViabilityAnalysis
from engineering.tests.catalog_setup import analysis_data, solar_catalog
from engineering.tests.factories import FinancingProductFactory
from ysh.users.tests.factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("engineering.tests.urls")]


@pytest.fixture
def offline(settings):
    settings.PVGIS_ENABLED = False


@pytest.fixture
def member(client, offline):
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership


def form_data(**changes):
    data = {
        "title": "Casa da Praia",
        "customer_name": "João Souza",
        "lat": "-23.5505",
        "lon": "-46.6333",
        "utility": "ELETROPAULO",
        "connection_type": "bi",
        "average_kwh": "550",
        "target_offset_pct": "100",
        "roof_area_m2": "60",
        "tilt_deg": "20",
        "azimuth_deg": "0",
        "simultaneity_pct": "30",
        "tariff_inflation_pct": "5",
        "discount_rate_pct": "10",
        "installation_rs_wp": "0.80",
        "credit_allocation": "percent",
        "b1_connection": "bi",
        "b2_connection": "bi",
    }
    data.update(changes)
    return data


def test_calculator_to_result_with_charts_and_financing(client, member):
    # given
    solar_catalog()
    FinancingProductFactory(bank="Banco Sol", monthly_rate_pct=Decimal("1.39"))
    assert client.get(reverse("engineering_portal:calculator")).status_code == 200
    # when
    response = client.post(reverse("engineering_portal:calculator"), form_data())
    # then
    analysis = SolarViabilityAnalysis.objects.get()
    assert analysis.organization == member.organization
    assert response.status_code == 302
    assert response["Location"] == reverse("engineering_portal:detail", args=[analysis.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<svg") >= 3  # generation, payback, bills
    assert "<script" not in html.split("</footer>")[0].split("<main")[1]  # charts need no JS
    assert analysis.sizing["module"]["name"] in html
    assert 'data-testid="financing-options"' in html and "Banco Sol" in html
    assert 'data-testid="scenarios"' in html


def test_bad_input_rerenders_the_form_with_errors_and_stores_nothing(client, member):
    solar_catalog()
    response = client.post(
        reverse("engineering_portal:calculator"), form_data(tilt_deg="120", average_kwh="-5")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "tilt_deg" in form.errors and "average_kwh" in form.errors
    assert SolarViabilityAnalysis.objects.count() == 0


def test_service_errors_land_on_the_form(client, member):
    solar_catalog()
    # SP has only ELETROPAULO in this database: without a utility it is resolved by the state
    by_state = client.post(
        reverse("engineering_portal:calculator"),
        form_data(utility="", lat="", lon="", city="Campinas", state="SP"),
    )
    assert by_state.status_code == 302
    assert SolarViabilityAnalysis.objects.get().utility.sig_agente == "ELETROPAULO"
    # coordinates outside Brazil come back as a field error from the location service
    unknown = client.post(reverse("engineering_portal:calculator"), form_data(lat="48.85", lon="2.35"))
    assert unknown.status_code == 400
    assert "lat" in unknown.context["form"].errors


def test_sizing_failure_explains_the_checks(client, member):
    from engineering.tests.factories import TariffFactory, UtilityFactory

    TariffFactory(utility=UtilityFactory(sig_agente="ELETROPAULO", states=["SP"]))
    response = client.post(reverse("engineering_portal:calculator"), form_data())
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_other_organizations_analysis_is_404(client, member):
    solar_catalog()
    from engineering.services import viability_analysis_create

    other = MembershipFactory()
    analysis = viability_analysis_create(data=analysis_data(), organization=other.organization)
    assert client.get(reverse("engineering_portal:detail", args=[analysis.pk])).status_code == 404
    assert client.get(reverse("engineering_portal:proposal_download", args=[analysis.pk])).status_code == 404


def test_proposal_is_generated_then_downloaded(client, member, django_capture_on_commit_callbacks):
    solar_catalog()
    from engineering.services import viability_analysis_create

    analysis = viability_analysis_create(data=analysis_data(), organization=member.organization)
    not_ready = client.get(reverse("engineering_portal:proposal_download", args=[analysis.pk]))
    assert not_ready.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("engineering_portal:proposal_generate", args=[analysis.pk]))
    analysis.refresh_from_db()
    assert analysis.proposal_status == ProposalStatus.READY
    pdf = client.get(reverse("engineering_portal:proposal_download", args=[analysis.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_saving_a_financing_option_creates_a_simulation(client, member):
    solar_catalog()
    product = FinancingProductFactory()
    from engineering.services import viability_analysis_create

    analysis = viability_analysis_create(data=analysis_data(), organization=member.organization)
    response = client.post(
        reverse("engineering_portal:financing_save", args=[analysis.pk]),
        {"product_id": product.pk, "term_months": 60, "down_payment": "0", "borrower_type": "pf"},
    )
    assert response.status_code == 302
    simulation = FinancingSimulation.objects.get()
    assert (simulation.analysis, simulation.organization, simulation.term_months) == (
        analysis,
        member.organization,
        60,
    )


def test_module_disabled_and_list_queries(client, member, django_assert_max_num_queries):
    solar_catalog()
    from engineering.services import viability_analysis_create

    for _n in range(3):
        viability_analysis_create(data=analysis_data(), organization=member.organization)
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("engineering_portal:list"))
    assert listing.status_code == 200
    assert listing.content.decode().count('href="/portal/engineering/analyses/') == 3
    member.organization.enabled_modules = ["catalog"]
    member.organization.save()
    assert client.get(reverse("engineering_portal:calculator")).status_code == 403

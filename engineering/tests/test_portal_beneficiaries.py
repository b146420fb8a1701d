"""Portal calculator: the beneficiary units (autoconsumo remoto / geração compartilhada) are a
formset of up to 20 rows, with 3 empty rows when the page opens (it works without JavaScript);
errors show on their row; the rows reach the same service as the API's ``beneficiaries``."""

import pytest
from django.urls import reverse

from engineering.models import SolarViabilityAnalysis
from engineering.portal.forms import (
    BENEFICIARY_EMPTY_ROWS,
    BENEFICIARY_MAX,
    BeneficiaryFormSet,
    CalculatorForm,
)
from engineering.portal.views import _errors_to_form
from engineering.tests.catalog_setup import solar_catalog
from engineering.tests.test_portal import form_data
from ysh.errors import DomainError
from ysh.users.tests.factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("engineering.tests.urls")]

PREFIX = "beneficiaries"


@pytest.fixture
def member(client, settings):
    settings.PVGIS_ENABLED = False
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership


def rows(*units, total: int | None = None) -> dict:
    """POST data of the formset: ``units`` are (name, kWh/month, connection, share) tuples; the
    remaining rows up to ``total`` are left as rendered (empty, connection "bi")."""
    total = total if total is not None else max(len(units), BENEFICIARY_EMPTY_ROWS)
    data = {f"{PREFIX}-TOTAL_FORMS": str(total), f"{PREFIX}-INITIAL_FORMS": "0"}
    for index in range(total):
        name, kwh, connection, share = units[index] if index < len(units) else ("", "", "bi", "")
        data |= {
            f"{PREFIX}-{index}-name": name,
            f"{PREFIX}-{index}-average_kwh": kwh,
            f"{PREFIX}-{index}-connection_type": connection,
            f"{PREFIX}-{index}-share_pct": share,
        }
    return data


def test_page_opens_with_three_empty_rows_and_a_row_template(client, member):
    # when
    response = client.get(reverse("engineering_portal:calculator"))
    # then
    html = response.content.decode()
    formset = response.context["beneficiaries"]
    assert len(formset.forms) == BENEFICIARY_EMPTY_ROWS
    assert f'name="{PREFIX}-TOTAL_FORMS"' in html and f'name="{PREFIX}-MAX_NUM_FORMS"' in html
    assert html.count("<tr data-formset-row>") == BENEFICIARY_EMPTY_ROWS + 1  # + the <template> row
    assert f'name="{PREFIX}-__prefix__-name"' in html


def test_many_beneficiaries_reach_the_service_in_page_order(client, member):
    # given five units (the old form took two), with an empty row left between them
    solar_catalog()
    units = [
        ("Loja", "300", "tri", "30"),
        ("Sítio", "150", "mono", "20"),
        ("", "", "bi", ""),
        ("Escritório", "220", "bi", "15"),
        ("Casa da mãe", "180", "bi", "10"),
        ("Galpão", "400", "tri", "5"),
    ]
    # when
    response = client.post(
        reverse("engineering_portal:calculator"), {**form_data(target_offset_pct="200"), **rows(*units)}
    )
    # then
    assert response.status_code == 302, response.context and response.context["beneficiaries"].errors
    analysis = SolarViabilityAnalysis.objects.get()
    names = [u for u in units if u[0]]
    assert [b["name"] for b in analysis.beneficiaries] == [u[0] for u in names]
    assert [b["average_kwh"] for b in analysis.beneficiaries] == [float(u[1]) for u in names]
    assert [b["connection_type"] for b in analysis.beneficiaries] == [u[2] for u in names]
    assert [b["share_pct"] for b in analysis.beneficiaries] == [float(u[3]) for u in names]
    assert [b["priority"] for b in analysis.beneficiaries] == [1, 2, 3, 4, 5]
    assert [u["name"] for u in analysis.result["units"]][1:] == [u[0] for u in names]


def test_row_errors_show_on_their_row_and_nothing_is_stored(client, member):
    solar_catalog()
    # given a second row with a name but no consumption and a third with a negative consumption
    data = {
        **form_data(),
        **rows(("Loja", "300", "tri", "50"), ("Sítio", "", "bi", "20"), ("", "-10", "bi", "")),
    }
    # when
    response = client.post(reverse("engineering_portal:calculator"), data)
    # then
    assert response.status_code == 400
    formset = response.context["beneficiaries"]
    assert formset.forms[0].errors == {}
    assert "average_kwh" in formset.forms[1].errors
    assert {"name", "average_kwh"} <= set(formset.forms[2].errors)
    html = response.content.decode()
    assert html.count("field--invalid") >= 3
    assert 'class="eng-more" open' in html  # the section with the rows opens by itself
    assert SolarViabilityAnalysis.objects.count() == 0


def test_shares_over_100_percent_are_refused(client, member):
    solar_catalog()
    response = client.post(
        reverse("engineering_portal:calculator"),
        {**form_data(), **rows(("Loja", "300", "tri", "70"), ("Sítio", "150", "mono", "40.5"))},
    )
    assert response.status_code == 400
    errors = response.context["beneficiaries"].non_form_errors()
    assert errors and "110,5" in errors[0]
    assert 'data-testid="beneficiaries-errors"' in response.content.decode()
    assert SolarViabilityAnalysis.objects.count() == 0


def test_more_than_twenty_units_are_refused(client, member):
    solar_catalog()
    units = [(f"UC {n}", "100", "mono", "1") for n in range(BENEFICIARY_MAX + 1)]
    response = client.post(reverse("engineering_portal:calculator"), {**form_data(), **rows(*units)})
    assert response.status_code == 400
    assert response.context["beneficiaries"].non_form_errors()
    assert SolarViabilityAnalysis.objects.count() == 0


def test_twenty_units_are_accepted(client, member):
    solar_catalog()
    units = [(f"UC {n}", "100", "mono", "2") for n in range(BENEFICIARY_MAX)]
    response = client.post(
        reverse("engineering_portal:calculator"), {**form_data(target_offset_pct="200"), **rows(*units)}
    )
    assert response.status_code == 302
    assert len(SolarViabilityAnalysis.objects.get().beneficiaries) == BENEFICIARY_MAX


def test_a_post_without_the_rows_means_no_beneficiaries(client, member):
    # given a post made without the formset's management fields (an older page, a script)
    solar_catalog()
    # when
    response = client.post(reverse("engineering_portal:calculator"), form_data())
    # then the analysis is made for the generator alone
    assert response.status_code == 302
    assert SolarViabilityAnalysis.objects.get().beneficiaries == []


def test_service_errors_on_a_beneficiary_land_on_its_row():
    # given two filled rows and an empty one between them
    formset = BeneficiaryFormSet(
        rows(("Loja", "300", "tri", ""), ("", "", "bi", ""), ("Sítio", "150", "bi", ""))
    )
    assert formset.is_valid()

    form = CalculatorForm(form_data(utility=""))
    assert form.is_valid()
    # when the service reports the second filled unit (index 1 among the filled rows)
    _errors_to_form(
        form,
        DomainError("bad", extra={"beneficiaries[1].monthly_kwh": ["Consumption cannot be negative."]}),
        formset,
    )
    # then the error is on the third row's consumption, not on the page
    assert formset.forms[2].errors == {"average_kwh": ["Consumption cannot be negative."]}
    assert formset.forms[0].errors == {} and form.errors == {}

"""Portal forms: the calculator and the financing comparison. They check shapes and ranges; the
services check the rest and their field errors are put back on the form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engineering.models import ConnectionType, CreditAllocation
from ysh.users.validators import BRAZILIAN_STATES

MONTHS = (
    _("Jan"), _("Feb"), _("Mar"), _("Apr"), _("May"), _("Jun"),
    _("Jul"), _("Aug"), _("Sep"), _("Oct"), _("Nov"), _("Dec"),
)  # fmt: skip
BENEFICIARY_ROWS = 2


class CalculatorForm(forms.Form):
    title = forms.CharField(label=_("Project name"), max_length=160, required=False)
    customer_name = forms.CharField(label=_("Customer"), max_length=160, required=False)
    cep = forms.CharField(label=_("CEP"), max_length=9, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", "—"), *BRAZILIAN_STATES], required=False)
    lat = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    lon = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    utility = forms.ChoiceField(label=_("Utility"), required=False)
    connection_type = forms.ChoiceField(
        label=_("Connection"), choices=ConnectionType.choices, initial=ConnectionType.BI
    )
    average_kwh = forms.DecimalField(
        label=_("Average consumption (kWh/month)"),
        min_value=0,
        max_digits=10,
        decimal_places=1,
        required=False,
    )
    bill_brl = forms.DecimalField(
        label=_("…or the monthly bill (R$)"), min_value=1, max_digits=10, decimal_places=2, required=False
    )
    target_offset_pct = forms.DecimalField(
        label=_("Target offset (%)"), min_value=10, max_value=200, initial=100
    )
    roof_area_m2 = forms.DecimalField(
        label=_("Roof area (m²)"), min_value=1, max_value=100000, required=False
    )
    tilt_deg = forms.DecimalField(label=_("Tilt (°)"), min_value=0, max_value=90, initial=20)
    azimuth_deg = forms.DecimalField(
        label=_("Azimuth (°)"),
        min_value=0,
        max_value=360,
        initial=0,
        help_text=_("0 = facing north, 90 = east."),
    )
    protocol_date = forms.DateField(
        label=_("Access request date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Decides the Lei 14.300 regime. Today if empty."),
    )
    simultaneity_pct = forms.DecimalField(
        label=_("Self-consumption (%)"), min_value=0, max_value=100, initial=30
    )
    tariff_inflation_pct = forms.DecimalField(
        label=_("Tariff inflation (% a.a.)"), min_value=-5, max_value=30, initial=5
    )
    discount_rate_pct = forms.DecimalField(
        label=_("Discount rate (% a.a.)"), min_value=0, max_value=50, initial=10
    )
    installation_rs_wp = forms.DecimalField(
        label=_("Installation (R$/Wp)"), min_value=0, max_value=10, initial=Decimal("0.80")
    )
    credit_allocation = forms.ChoiceField(
        label=_("Credit allocation"), choices=CreditAllocation.choices, initial=CreditAllocation.PERCENT
    )

    def __init__(self, *args, utilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["utility"].choices = [("", _("— by the state —"))] + [
            (u.sig_agente, str(u)) for u in utilities
        ]
        for index, label in enumerate(MONTHS, start=1):
            self.fields[f"m{index}"] = forms.DecimalField(
                label=label, min_value=0, max_digits=10, decimal_places=1, required=False
            )
        for row in range(1, BENEFICIARY_ROWS + 1):
            self.fields[f"b{row}_name"] = forms.CharField(label=_("Unit"), max_length=80, required=False)
            self.fields[f"b{row}_average"] = forms.DecimalField(
                label=_("kWh/month"), min_value=0, required=False
            )
            self.fields[f"b{row}_connection"] = forms.ChoiceField(
                label=_("Connection"), choices=ConnectionType.choices, initial=ConnectionType.BI
            )
            self.fields[f"b{row}_share"] = forms.DecimalField(
                label=_("Share (%)"), min_value=0, max_value=100, required=False
            )

    @property
    def month_fields(self):
        return [self[f"m{i}"] for i in range(1, 13)]

    @property
    def beneficiary_rows(self):
        return [
            [self[f"b{row}_name"], self[f"b{row}_average"], self[f"b{row}_connection"], self[f"b{row}_share"]]
            for row in range(1, BENEFICIARY_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        months = [data.get(f"m{i}") for i in range(1, 13)]
        given = [m for m in months if m is not None]
        if given and len(given) != 12:
            self.add_error("m1", _("Fill all 12 months or use the average."))
        if not given and data.get("average_kwh") is None and data.get("bill_brl") is None:
            self.add_error(
                "average_kwh", _("Give the 12 monthly consumptions, their average or the bill amount.")
            )
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lat", _("Give latitude and longitude together."))
        if data.get("lat") is None and not data.get("cep") and not data.get("city"):
            self.add_error("cep", _("Give the location: a CEP, the city and state, or coordinates."))
        for row in range(1, BENEFICIARY_ROWS + 1):
            if data.get(f"b{row}_name") and data.get(f"b{row}_average") is None:
                self.add_error(f"b{row}_average", _("Give the unit's average consumption."))
        return data

    def service_data(self) -> dict:
        """The cleaned form in the shape of ``viability_analysis_create``'s ``data``."""
        d = self.cleaned_data
        months = [d.get(f"m{i}") for i in range(1, 13)]
        data = {
            key: d.get(key)
            for key in (
                "title", "customer_name", "cep", "city", "state", "lat", "lon", "utility", "connection_type",
                "target_offset_pct", "roof_area_m2", "tilt_deg", "azimuth_deg", "credit_allocation",
            )
        }  # fmt: skip
        data["protocol_date"] = d.get("protocol_date") or timezone.localdate()
        if all(m is not None for m in months):
            data["monthly_kwh"] = [float(m) for m in months]
        elif d.get("average_kwh") is not None:
            data["average_kwh"] = float(d["average_kwh"])
        else:
            data["bill_brl"] = d.get("bill_brl")
        data["assumptions"] = {
            "simultaneity": float(d["simultaneity_pct"]) / 100,
            "tariff_inflation": float(d["tariff_inflation_pct"]) / 100,
            "discount_rate": float(d["discount_rate_pct"]) / 100,
            "installation_rs_wp": float(d["installation_rs_wp"]),
        }
        data["beneficiaries"] = [
            {
                "name": d[f"b{row}_name"],
                "average_kwh": float(d[f"b{row}_average"]),
                "connection_type": d[f"b{row}_connection"],
                "share_pct": float(d.get(f"b{row}_share") or 0),
                "priority": row,
            }
            for row in range(1, BENEFICIARY_ROWS + 1)
            if d.get(f"b{row}_name") and d.get(f"b{row}_average") is not None
        ]
        return data


class FinancingForm(forms.Form):
    term_months = forms.TypedChoiceField(
        label=_("Term"),
        coerce=int,
        choices=[(m, f"{m}") for m in (24, 36, 48, 60, 72, 84, 96, 120)],
        initial=60,
    )
    down_payment = forms.DecimalField(
        label=_("Down payment (R$)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    borrower_type = forms.ChoiceField(
        label=_("Borrower"), choices=[("pf", _("individual (PF)")), ("pj", _("company (PJ)"))], initial="pf"
    )

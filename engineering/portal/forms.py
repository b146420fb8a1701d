"""Portal forms: the calculator and the financing comparison. They check shapes and ranges; the
services check the rest and their field errors are put back on the form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from engineering.models import PRICING_LIMITS, ConnectionType, CreditAllocation, IntegratorPricing
from engineering.sizing import Topology
from ysh.users.validators import BRAZILIAN_STATES

MONTHS = (
    _("Jan"), _("Feb"), _("Mar"), _("Apr"), _("May"), _("Jun"),
    _("Jul"), _("Aug"), _("Sep"), _("Oct"), _("Nov"), _("Dec"),
)  # fmt: skip
#: Beneficiary units (autoconsumo remoto / geração compartilhada): as many as the API accepts;
#: without JavaScript the page shows this many empty rows (with it, rows are added and removed).
BENEFICIARY_MAX = 20
BENEFICIARY_EMPTY_ROWS = 3
BENEFICIARY_PREFIX = "beneficiaries"


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
        label=_("Installation (R$/Wp)"),
        min_value=PRICING_LIMITS["installation_rs_wp"][0],
        max_value=PRICING_LIMITS["installation_rs_wp"][1],
        decimal_places=2,
        required=False,
        help_text=_("Empty: your pricing settings."),
    )
    margin_pct = forms.DecimalField(
        label=_("Margin (%)"),
        min_value=PRICING_LIMITS["margin_pct"][0],
        max_value=PRICING_LIMITS["margin_pct"][1],
        decimal_places=2,
        required=False,
        help_text=_("Empty: your pricing settings. Never shown to the customer."),
    )
    credit_allocation = forms.ChoiceField(
        label=_("Credit allocation"), choices=CreditAllocation.choices, initial=CreditAllocation.PERCENT
    )
    topology = forms.ChoiceField(
        label=_("Inverter type"),
        choices=Topology.choices,
        initial=Topology.AUTO.value,
        required=False,
        help_text=_("Automatic keeps the cheaper valid design per Wp."),
    )

    def __init__(self, *args, utilities=(), pricing: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for key in ("installation_rs_wp", "margin_pct"):
            if pricing and pricing.get(key) is not None:
                self.fields[key].widget.attrs["placeholder"] = f"{Decimal(str(pricing[key])):.2f}"
        self.fields["utility"].choices = [("", _("— by the state —"))] + [
            (u.sig_agente, str(u)) for u in utilities
        ]
        for index, label in enumerate(MONTHS, start=1):
            self.fields[f"m{index}"] = forms.DecimalField(
                label=label, min_value=0, max_digits=10, decimal_places=1, required=False
            )

    @property
    def month_fields(self):
        return [self[f"m{i}"] for i in range(1, 13)]

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
        return data

    def service_data(self, *, beneficiaries: list[dict] | None = None) -> dict:
        """The cleaned form (and the beneficiary rows, ``BeneficiaryFormSet.service_rows()``) in the
        shape of ``viability_analysis_create``'s ``data``."""
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
        data["topology"] = d.get("topology") or Topology.AUTO.value
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
        }
        # Left empty, the organization's pricing settings apply (IntegratorPricing).
        for key in ("installation_rs_wp", "margin_pct"):
            if d.get(key) is not None:
                data["assumptions"][key] = float(d[key])
        data["beneficiaries"] = beneficiaries or []
        return data


class BeneficiaryForm(forms.Form):
    """One consumer unit receiving credits. A row left as rendered (empty) is skipped."""

    name = forms.CharField(label=_("Consumer unit"), max_length=80)
    average_kwh = forms.DecimalField(
        label=_("kWh/month"), min_value=0, max_value=10_000_000, max_digits=10, decimal_places=1
    )
    connection_type = forms.ChoiceField(
        label=_("Connection"), choices=ConnectionType.choices, initial=ConnectionType.BI
    )
    share_pct = forms.DecimalField(
        label=_("Share (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2, required=False
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Name the unit."))
        return name


class BaseBeneficiaryFormSet(forms.BaseFormSet):
    def __init__(self, data=None, *args, **kwargs):
        kwargs.setdefault("prefix", BENEFICIARY_PREFIX)
        if data is not None and f"{kwargs['prefix']}-TOTAL_FORMS" not in data:
            # A calculator post without the rows at all (older page, a script): no beneficiaries,
            # rather than Django's "management form tampered with" error on the whole page.
            data = data.copy()
            data[f"{kwargs['prefix']}-TOTAL_FORMS"] = "0"
            data[f"{kwargs['prefix']}-INITIAL_FORMS"] = "0"
        super().__init__(data, *args, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        total = sum(form.cleaned_data.get("share_pct") or 0 for form in self.filled_forms())
        if total > 100:
            raise forms.ValidationError(
                _("The units' shares add up to %(total)s%%; at most 100%% of the surplus can be shared.")
                % {"total": number_format(total, decimal_pos=2 if total % 1 else 0)}
            )

    def filled_forms(self) -> list[BeneficiaryForm]:
        """The rows the user filled in, in page order (after validation)."""
        return [form for form in self.forms if form.has_changed() and form.cleaned_data]

    def service_rows(self) -> list[dict]:
        """The filled rows in the shape of the service's ``beneficiaries``; priority = page order."""
        return [
            {
                "name": form.cleaned_data["name"],
                "average_kwh": float(form.cleaned_data["average_kwh"]),
                "connection_type": form.cleaned_data["connection_type"],
                "share_pct": float(form.cleaned_data.get("share_pct") or 0),
                "priority": position,
            }
            for position, form in enumerate(self.filled_forms(), start=1)
        ]


BeneficiaryFormSet = forms.formset_factory(
    BeneficiaryForm,
    formset=BaseBeneficiaryFormSet,
    extra=BENEFICIARY_EMPTY_ROWS,
    max_num=BENEFICIARY_MAX,
    absolute_max=BENEFICIARY_MAX,
    validate_max=True,
)


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


class PricingForm(forms.ModelForm):
    """The organization's pricing settings (owners and admins; the service checks the role)."""

    class Meta:
        model = IntegratorPricing
        fields = [
            "installation_rs_wp",
            "bos_pct",
            "bos_rs_wp",
            "freight_pct",
            "homologation_fee",
            "other_costs",
            "margin_pct",
            "service_tax_pct",
            "validity_days",
        ]

"""Input and output serializers of the engineering API. Inputs check ranges and shapes (negative
consumption, tilt 120°, a 13-month year…) so bad input is a 400 with field errors before any service
runs; the services then check what needs the database (unknown utility, CEP not found…)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engineering.models import (
    PRICING_LIMITS,
    AmortizationSystem,
    BorrowerType,
    ConnectionType,
    CreditAllocation,
    CreditStatus,
    CreditStatusEvent,
    FinancingProduct,
    FinancingSimulation,
    PhotogrammetryAnalysis,
    RoofProvider,
    SolarViabilityAnalysis,
    Tariff,
    Utility,
)
from engineering.sizing import Topology

MAX_KWH = 10_000_000


# --- utilities, tariffs, irradiation ---------------------------------------------------------------


class UtilitySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="sig_agente")

    class Meta:
        model = Utility
        fields = ["id", "code", "name", "cnpj", "states", "aliases", "active"]


class TariffSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tariff
        fields = [
            "id",
            "resolution",
            "valid_from",
            "valid_to",
            "base",
            "subgroup",
            "modality",
            "klass",
            "subclass",
            "detail",
            "posto",
            "unit",
            "tusd_rs_mwh",
            "te_rs_mwh",
            "fio_b_rs_mwh",
            "source",
            "first_seen",
            "superseded_at",
        ]


class ConsumerTariffSerializer(serializers.Serializer):
    utility_code = serializers.CharField()
    utility_name = serializers.CharField()
    resolution = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    subgroup = serializers.CharField()
    modality = serializers.CharField()
    klass = serializers.CharField()
    te_rs_mwh = serializers.DecimalField(max_digits=14, decimal_places=4)
    tusd_rs_mwh = serializers.DecimalField(max_digits=14, decimal_places=4)
    fio_b_rs_mwh = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    base_rs_kwh = serializers.DecimalField(max_digits=10, decimal_places=6)
    icms_pct = serializers.DecimalField(max_digits=6, decimal_places=2)
    pis_cofins_pct = serializers.DecimalField(max_digits=6, decimal_places=2)
    final_rs_kwh = serializers.DecimalField(max_digits=10, decimal_places=6)
    source = serializers.CharField()
    is_estimate_note = serializers.CharField()
    is_sample = serializers.BooleanField()


class UtilityTariffsSerializer(serializers.Serializer):
    utility = UtilitySerializer()
    current = ConsumerTariffSerializer(
        allow_null=True, help_text=_("B1 residential tariff in force, with taxes.")
    )
    current_error = serializers.CharField(allow_blank=True)
    history = TariffSerializer(many=True)


class LocationQuerySerializer(serializers.Serializer):
    lat = serializers.CharField(required=False)
    lon = serializers.CharField(required=False)
    cep = serializers.CharField(required=False, max_length=9)
    city = serializers.CharField(required=False, max_length=100)
    state = serializers.CharField(required=False, max_length=2)

    def validate(self, attrs):
        if not (attrs.get("lat") or attrs.get("lon") or attrs.get("cep") or attrs.get("city")):
            raise serializers.ValidationError({"lat": [_("Give lat and lon, a CEP or a city.")]})
        return attrs


class IrradiationSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    state = serializers.CharField(allow_null=True)
    location_source = serializers.CharField()
    monthly_ghi_kwh_m2_day = serializers.ListField(child=serializers.FloatField())
    annual_ghi_kwh_m2_day = serializers.FloatField()
    monthly_temp_c = serializers.ListField(child=serializers.FloatField())
    source = serializers.CharField()
    nearest_capital = serializers.CharField(allow_null=True)
    distance_km = serializers.FloatField(allow_null=True)
    cached = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


# --- viability ----------------------------------------------------------------------------------------


class BeneficiarySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    monthly_kwh = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=MAX_KWH),
        min_length=12,
        max_length=12,
        required=False,
    )
    average_kwh = serializers.FloatField(min_value=0, max_value=MAX_KWH, required=False)
    connection_type = serializers.ChoiceField(choices=ConnectionType.choices, required=False)
    utility = serializers.CharField(max_length=80, required=False, allow_blank=True)
    tariff_rs_kwh = serializers.FloatField(min_value=0.05, max_value=5, required=False)
    share_pct = serializers.FloatField(min_value=0, max_value=100, required=False, default=0)
    priority = serializers.IntegerField(min_value=1, max_value=99, required=False)

    def validate(self, attrs):
        if not attrs.get("monthly_kwh") and attrs.get("average_kwh") is None:
            raise serializers.ValidationError(
                {"average_kwh": [_("Give the unit's 12 monthly values or the average.")]}
            )
        return attrs


def _pricing_field(key: str, *, field=serializers.FloatField, **kwargs):
    low, high = PRICING_LIMITS[key]
    return field(min_value=low, max_value=high, required=False, **kwargs)


class AssumptionsSerializer(serializers.Serializer):
    simultaneity = serializers.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        help_text=_("Share of the generation consumed at once (0–1)."),
    )
    tariff_inflation = serializers.FloatField(
        min_value=-0.05, max_value=0.3, required=False, help_text=_("Fraction per year.")
    )
    discount_rate = serializers.FloatField(
        min_value=0, max_value=0.5, required=False, help_text=_("Fraction per year (e.g. SELIC).")
    )
    om_annual_pct = serializers.FloatField(min_value=0, max_value=10, required=False)
    installation_rs_wp = serializers.FloatField(min_value=0, max_value=10, required=False)
    homologation_fee = serializers.FloatField(min_value=0, max_value=100_000, required=False)
    bos_pct = serializers.FloatField(min_value=0, max_value=100, required=False)
    # Per-analysis overrides of the organization's pricing settings (IntegratorPricing).
    bos_rs_wp = _pricing_field("bos_rs_wp")
    freight_pct = _pricing_field("freight_pct")
    other_costs = _pricing_field("other_costs")
    margin_pct = _pricing_field("margin_pct", help_text=_("Markup on the cost, %."))
    service_tax_pct = _pricing_field(
        "service_tax_pct", help_text=_("Tax on the service part of the price, %.")
    )
    validity_days = _pricing_field("validity_days", field=serializers.IntegerField)
    fio_b_share_of_tusd = serializers.FloatField(min_value=0, max_value=1, required=False)
    after_transition_fio_b_pct = serializers.FloatField(min_value=0, max_value=100, required=False)
    t_min_c = serializers.FloatField(min_value=-30, max_value=40, required=False)
    t_max_c = serializers.FloatField(min_value=10, max_value=60, required=False)
    financing_term_months = serializers.IntegerField(min_value=6, max_value=240, required=False)
    financing_down_payment_pct = serializers.FloatField(min_value=0, max_value=90, required=False)


class AttributionSerializer(serializers.Serializer):
    """Where the visitor came from, as the storefront read it from the landing URL."""

    utm_source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_medium = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_campaign = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_term = serializers.CharField(max_length=200, required=False, allow_blank=True)
    utm_content = serializers.CharField(max_length=200, required=False, allow_blank=True)
    gclid = serializers.CharField(max_length=255, required=False, allow_blank=True)
    fbclid = serializers.CharField(max_length=255, required=False, allow_blank=True)
    referrer = serializers.URLField(max_length=2000, required=False, allow_blank=True)
    landing_url = serializers.URLField(max_length=2000, required=False, allow_blank=True)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.RegexField(r"^\+?[\d\s()-]{8,20}$", required=False, allow_blank=True)
    consent = serializers.BooleanField(required=False, default=False)
    attribution = AttributionSerializer(required=False)

    def validate(self, attrs):
        if not (attrs.get("email") or attrs.get("phone")):
            raise serializers.ValidationError({"email": [_("Leave an e-mail or a phone to be contacted.")]})
        if not attrs.get("consent"):
            raise serializers.ValidationError({"consent": [_("Consent is required to be contacted (LGPD).")]})
        return attrs


class ViabilityRequestSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160, required=False, allow_blank=True)
    customer_name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    cep = serializers.CharField(max_length=9, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(max_length=2, required=False, allow_blank=True)
    utility = serializers.CharField(
        max_length=80, required=False, allow_blank=True, help_text=_("ANEEL SigAgente, e.g. ELETROPAULO.")
    )
    subgroup = serializers.ChoiceField(choices=[("B1", "B1"), ("B2", "B2"), ("B3", "B3")], default="B1")
    tariff_class = serializers.CharField(max_length=80, default="Residencial")
    connection_type = serializers.ChoiceField(choices=ConnectionType.choices, default=ConnectionType.BI)
    monthly_kwh = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=MAX_KWH),
        min_length=12,
        max_length=12,
        required=False,
        help_text=_("12 monthly consumptions, January to December."),
    )
    average_kwh = serializers.FloatField(min_value=0, max_value=MAX_KWH, required=False)
    bill_brl = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("1"), required=False
    )
    target_offset_pct = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=10, max_value=200, default=Decimal(100)
    )
    roof_area_m2 = serializers.DecimalField(
        max_digits=8, decimal_places=1, min_value=1, max_value=100_000, required=False
    )
    tilt_deg = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=90, default=Decimal(20)
    )
    azimuth_deg = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=360, default=Decimal(0)
    )
    protocol_date = serializers.DateField(
        required=False, help_text=_("Access request date (Lei 14.300 regime); today by default.")
    )
    module_id = serializers.IntegerField(required=False, min_value=1)
    inverter_id = serializers.IntegerField(required=False, min_value=1)
    topology = serializers.ChoiceField(
        choices=Topology.choices,
        default=Topology.AUTO.value,
        help_text=_(
            "string: string inverters; micro: micro-inverters (one module per input); auto: the "
            "cheaper valid design of both per Wp. inverter_id may name either kind. The result's "
            "sizing.micro_layout describes the micro-inverter units."
        ),
    )
    photogrammetry_id = serializers.IntegerField(required=False, min_value=1)
    financing_product_id = serializers.IntegerField(required=False, min_value=1)
    credit_allocation = serializers.ChoiceField(
        choices=CreditAllocation.choices, default=CreditAllocation.PERCENT
    )
    beneficiaries = BeneficiarySerializer(many=True, required=False, max_length=20)
    assumptions = AssumptionsSerializer(required=False)
    contact = ContactSerializer(
        required=False, help_text=_("Public calculator: leave it to be contacted (creates a lead).")
    )

    def validate(self, attrs):
        if not (
            attrs.get("monthly_kwh")
            or attrs.get("average_kwh") is not None
            or attrs.get("bill_brl") is not None
        ):
            raise serializers.ValidationError(
                {"monthly_kwh": [_("Give the 12 monthly consumptions, their average or the bill amount.")]}
            )
        if (attrs.get("lat") is None) != (attrs.get("lon") is None):
            missing = "lon" if attrs.get("lon") is None else "lat"
            raise serializers.ValidationError({missing: [_("Give latitude and longitude together.")]})
        if attrs.get("lat") is None and not attrs.get("cep") and not attrs.get("city"):
            raise serializers.ValidationError(
                {"cep": [_("Give the location: lat/lon, a CEP or city and state.")]}
            )
        from datetime import date

        protocol = attrs.get("protocol_date")
        if protocol and not date(2012, 4, 17) <= protocol <= date.today().replace(year=date.today().year + 3):
            raise serializers.ValidationError(
                {"protocol_date": [_("The access request date is out of range.")]}
            )
        return attrs


class ViabilityAnalysisSerializer(serializers.ModelSerializer):
    utility = serializers.SlugRelatedField(slug_field="sig_agente", read_only=True)
    public = serializers.SerializerMethodField()

    class Meta:
        model = SolarViabilityAnalysis
        fields = [
            "id",
            "uuid",
            "public",
            "title",
            "customer_name",
            "cep",
            "city",
            "state",
            "lat",
            "lon",
            "utility",
            "subgroup",
            "tariff_class",
            "connection_type",
            "consumption_input",
            "monthly_consumption_kwh",
            "monthly_bill_brl",
            "target_offset_pct",
            "roof_area_m2",
            "tilt_deg",
            "azimuth_deg",
            "protocol_date",
            "credit_allocation",
            "beneficiaries",
            "assumptions",
            "tariff_rs_kwh",
            "system_kwp",
            "module_count",
            "inverter_count",
            "annual_generation_kwh",
            "specific_yield",
            "roof_area_needed_m2",
            "equipment_cost",
            "installation_cost",
            "homologation_cost",
            "total_investment",
            "monthly_savings",
            "annual_savings",
            "total_savings",
            "simple_payback_years",
            "discounted_payback_years",
            "irr_pct",
            "npv",
            "lcoe_rs_kwh",
            "roi_pct",
            "viability_score",
            "recommendation",
            "is_viable",
            "sizing",
            "context",
            "result",
            "lead_status",
            "proposal_status",
            "proposal_generated_at",
            "computed_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_public(self, obj) -> bool:
        """True for public-calculator analyses (no organization, reachable by uuid)."""
        return obj.organization_id is None


class ViabilityListSerializer(serializers.ModelSerializer):
    utility = serializers.SlugRelatedField(slug_field="sig_agente", read_only=True)

    class Meta:
        model = SolarViabilityAnalysis
        fields = [
            "id",
            "uuid",
            "title",
            "customer_name",
            "city",
            "state",
            "utility",
            "system_kwp",
            "total_investment",
            "monthly_savings",
            "simple_payback_years",
            "viability_score",
            "recommendation",
            "proposal_status",
            "created_at",
        ]
        read_only_fields = fields


class ProposalStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    generated_at = serializers.DateTimeField(allow_null=True)
    size = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)
    download_url = serializers.CharField(allow_null=True)


# --- financing ------------------------------------------------------------------------------------------


class FinancingProductSerializer(serializers.ModelSerializer):
    annual_rate_pct = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    amortization_system = serializers.CharField(read_only=True)

    class Meta:
        model = FinancingProduct
        fields = [
            "id",
            "bank",
            "name",
            "borrowers",
            "monthly_rate_pct",
            "annual_rate_pct",
            "amortization_system",
            "min_term_months",
            "max_term_months",
            "max_grace_months",
            "min_amount",
            "max_amount",
            "fee_fixed",
            "fee_pct",
            "costs_financed",
            "iof_exempt",
            "url",
            "requirements",
        ]


class FinancingRequestSerializer(serializers.Serializer):
    system_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("100"), required=False
    )
    analysis_id = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Use this analysis' investment as the cost.")
    )
    down_payment = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), default=Decimal(0)
    )
    term_months = serializers.IntegerField(min_value=1, max_value=420)
    grace_months = serializers.IntegerField(min_value=0, max_value=12, default=0)
    borrower_type = serializers.ChoiceField(choices=BorrowerType.choices, default=BorrowerType.PF)
    product_id = serializers.IntegerField(required=False, min_value=1)
    monthly_rate_pct = serializers.DecimalField(
        max_digits=6, decimal_places=4, min_value=Decimal(0), max_value=Decimal(20), required=False
    )
    annual_rate_pct = serializers.DecimalField(
        max_digits=7, decimal_places=3, min_value=Decimal(0), max_value=Decimal(500), required=False
    )
    system = serializers.ChoiceField(choices=AmortizationSystem.choices, required=False)
    compare = serializers.BooleanField(default=True)

    def validate(self, attrs):
        if attrs.get("system_cost") is None and not attrs.get("analysis_id"):
            raise serializers.ValidationError({"system_cost": [_("Give the system cost or an analysis.")]})
        if (
            not attrs.get("product_id")
            and attrs.get("monthly_rate_pct") is None
            and attrs.get("annual_rate_pct") is None
        ):
            raise serializers.ValidationError({"product_id": [_("Choose a product or give a rate.")]})
        return attrs


class InstallmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    payment = serializers.DecimalField(max_digits=14, decimal_places=2)
    interest = serializers.DecimalField(max_digits=14, decimal_places=2)
    amortization = serializers.DecimalField(max_digits=14, decimal_places=2)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)


class FinancingOptionSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(allow_null=True)
    bank = serializers.CharField(allow_blank=True)
    product = serializers.CharField()
    system = serializers.CharField()
    monthly_rate_pct = serializers.DecimalField(max_digits=8, decimal_places=4)
    annual_rate_pct = serializers.DecimalField(max_digits=8, decimal_places=2)
    term_months = serializers.IntegerField()
    principal = serializers.DecimalField(max_digits=14, decimal_places=2)
    net_released = serializers.DecimalField(max_digits=14, decimal_places=2)
    fees = serializers.DecimalField(max_digits=14, decimal_places=2)
    iof = serializers.DecimalField(max_digits=14, decimal_places=2)
    first_payment = serializers.DecimalField(max_digits=14, decimal_places=2)
    last_payment = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_interest = serializers.DecimalField(max_digits=14, decimal_places=2)
    cet_monthly_pct = serializers.DecimalField(max_digits=8, decimal_places=2)
    cet_annual_pct = serializers.DecimalField(max_digits=8, decimal_places=2)


class IneligibleProductSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    bank = serializers.CharField()
    product = serializers.CharField()
    reason = serializers.CharField()


class FinancingResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text=_("Null when not stored (anonymous caller)."))
    system_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    down_payment = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    simulation = FinancingOptionSerializer()
    schedule = InstallmentSerializer(many=True)
    alternatives = FinancingOptionSerializer(many=True)
    ineligible = IneligibleProductSerializer(many=True)
    status = serializers.CharField()


class CreditStatusEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="email", read_only=True)
    # Plain strings on the read side: the choices are documented once, on the transition input.
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = CreditStatusEvent
        fields = ["from_status", "to_status", "note", "actor", "created_at"]


class FinancingSimulationSerializer(serializers.ModelSerializer):
    events = CreditStatusEventSerializer(many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text=_("Credit status (see the transition input)."))
    amortization_system = serializers.CharField(read_only=True)
    borrower_type = serializers.CharField(read_only=True)

    class Meta:
        model = FinancingSimulation
        fields = [
            "id",
            "uuid",
            "analysis",
            "product",
            "bank",
            "borrower_type",
            "system_cost",
            "down_payment",
            "amount",
            "principal",
            "net_released",
            "term_months",
            "grace_months",
            "monthly_rate",
            "annual_rate",
            "amortization_system",
            "fees",
            "iof",
            "first_payment",
            "last_payment",
            "total_paid",
            "total_interest",
            "cet_monthly_pct",
            "cet_annual_pct",
            "schedule",
            "alternatives",
            "monthly_savings",
            "status",
            "status_changed_at",
            "approved_amount",
            "approved_term_months",
            "approved_monthly_rate_pct",
            "rejection_reason",
            "events",
            "created_at",
        ]
        read_only_fields = fields


class CreditTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=CreditStatus.choices)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    approved_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    approved_term_months = serializers.IntegerField(min_value=1, max_value=420, required=False)
    approved_monthly_rate_pct = serializers.DecimalField(
        max_digits=6, decimal_places=4, min_value=Decimal(0), required=False
    )
    rejection_reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


# --- photogrammetry ---------------------------------------------------------------------------------------


class ManualRoofSerializer(serializers.Serializer):
    total_area_m2 = serializers.DecimalField(max_digits=9, decimal_places=1, min_value=Decimal("0.1"))
    usable_area_m2 = serializers.DecimalField(
        max_digits=9, decimal_places=1, min_value=Decimal("0.1"), required=False
    )
    tilt_deg = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=90, required=False
    )
    azimuth_deg = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=360, required=False
    )
    annual_shade_pct = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False
    )


class PhotogrammetryRequestSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=RoofProvider.choices, default=RoofProvider.GOOGLE_SOLAR)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(max_length=2, required=False, allow_blank=True)
    cep = serializers.CharField(max_length=9, required=False, allow_blank=True)
    manual = ManualRoofSerializer(required=False)
    force_refresh = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if attrs["provider"] == RoofProvider.MANUAL and not attrs.get("manual"):
            raise serializers.ValidationError({"manual": [_("Enter the roof data for a manual analysis.")]})
        if not attrs.get("address") and attrs.get("lat") is None:
            raise serializers.ValidationError({"address": [_("Give an address or coordinates.")]})
        return attrs


class PhotogrammetryAnalysisSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    provider = serializers.CharField(read_only=True)

    class Meta:
        model = PhotogrammetryAnalysis
        fields = [
            "id",
            "address",
            "lat",
            "lon",
            "city",
            "state",
            "cep",
            "provider",
            "status",
            "total_area_m2",
            "usable_area_m2",
            "tilt_deg",
            "azimuth_deg",
            "roof_segments",
            "max_panels",
            "panel_capacity_w",
            "system_size_kwp",
            "annual_sunshine_hours",
            "annual_shade_pct",
            "imagery_quality",
            "imagery_date",
            "confidence_score",
            "times_reused",
            "expires_at",
            "created_at",
        ]
        read_only_fields = fields


class PhotogrammetryResultSerializer(serializers.Serializer):
    analysis = PhotogrammetryAnalysisSerializer()
    cache_hit = serializers.BooleanField()
    level = serializers.CharField(allow_null=True, help_text=_("address, coordinates or proximity on a hit."))
    stale = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)

"""Storefront API serializers.

Output is built by ``catalog.storefront`` as plain dicts (one ``values()`` query, no model
instances) for speed; the output serializers here describe that shape in the OpenAPI schema
and are what a client codes against. Input serializers validate query parameters.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models.taxonomy import ProductKind
from ysh.users.validators import BRAZILIAN_STATES

# --- input ---------------------------------------------------------------------------------


class ProductDetailQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=BRAZILIAN_STATES,
        required=False,
        help_text=_("Buyer's state (UF); defaults to the caller's organization state."),
    )
    modules = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=500,
        help_text=_("Module count of the planned system, for the compatible inverters."),
    )


class ProductSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(min_length=1, max_length=200, trim_whitespace=True)
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=50, default=20)


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=25)


# --- output (documentation of the dicts built by catalog.storefront) -----------------------

COMPLIANCE_STATUSES = ["ok", "expiring", "missing", "expired", "not_required"]
RECOMMENDATION_SOURCES = ["vector", "sql", "rules", "baskets", "unavailable", "not_applicable"]


def inline_enum(values: list[str], description: str = ""):
    """A string field documented with an inline enum. As a plain ChoiceField, drf-spectacular
    would lift it into an enum component named after the field ("KindEnum", "StatusEnum") and
    collide with the users app's fields of the same names; the ``allOf`` wrapper keeps it
    inline. (An ENUM_NAME_OVERRIDES entry in settings would allow plain ChoiceFields.)"""

    @extend_schema_field({"allOf": [{"type": "string", "enum": values}], "description": description})
    class InlineEnumField(serializers.CharField):
        pass

    return InlineEnumField()


def kind_field():
    return inline_enum([value for value, _label in ProductKind.choices], "Product kind.")


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class ListComplianceSerializer(serializers.Serializer):
    status = inline_enum(COMPLIANCE_STATUSES)
    flagged = serializers.BooleanField(help_text=_("Registration missing or expired."))
    ence_class = serializers.CharField(allow_blank=True)


class ProductListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = kind_field()
    kind_label = serializers.CharField()
    model_code = serializers.CharField()
    brand = NamedRefSerializer()
    category = NamedRefSerializer()
    power_w = serializers.FloatField(allow_null=True)
    energy_wh = serializers.FloatField(allow_null=True)
    phases = serializers.IntegerField(allow_null=True)
    voltage_v = serializers.IntegerField(allow_null=True)
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    max_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    price_per_wp = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)
    offer_count = serializers.IntegerField()
    in_stock = serializers.BooleanField()
    stock_states = serializers.ListField(child=serializers.CharField())
    image = serializers.URLField(allow_null=True)
    compliance = ListComplianceSerializer()
    created_at = serializers.DateTimeField()


class SearchResultItemSerializer(ProductListItemSerializer):
    score = serializers.FloatField(help_text=_("Reciprocal-rank-fusion score (higher is better)."))


class FacetValueSerializer(serializers.Serializer):
    value = serializers.JSONField(
        help_text=_("The filter value to send back (slug, kind, number, band key).")
    )
    label = serializers.CharField()
    count = serializers.IntegerField()


class CategoryFacetSerializer(FacetValueSerializer):
    parent = serializers.CharField(allow_null=True)


class BandFacetSerializer(FacetValueSerializer):
    min = serializers.IntegerField(allow_null=True, help_text=_("Use as power_min / price_min."))
    max = serializers.IntegerField(allow_null=True, help_text=_("Use as power_max / price_max (exclusive)."))


class FacetsSerializer(serializers.Serializer):
    kind = FacetValueSerializer(many=True)
    brand = FacetValueSerializer(many=True)
    category = CategoryFacetSerializer(many=True)
    phases = FacetValueSerializer(many=True)
    power = BandFacetSerializer(many=True)
    price = BandFacetSerializer(many=True)
    in_stock = FacetValueSerializer(many=True)


class ProductListResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(required=False, help_text=_("Absent in cursor mode."))
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProductListItemSerializer(many=True)
    facets = FacetsSerializer(required=False, help_text=_("Absent in cursor mode."))


class QueryInterpretationSerializer(serializers.Serializer):
    terms = serializers.ListField(child=serializers.CharField())
    corrections = serializers.DictField(child=serializers.CharField())
    power_w = serializers.FloatField(allow_null=True)
    energy_wh = serializers.FloatField(allow_null=True)
    voltage_v = serializers.FloatField(allow_null=True)


class ProductSearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    mode = serializers.ChoiceField(
        choices=["hybrid", "lexical"],
        help_text=_("hybrid = lexical + semantic fused; lexical = the vector index was unavailable."),
    )
    degraded_reason = serializers.CharField(allow_null=True)
    query = QueryInterpretationSerializer()
    results = SearchResultItemSerializer(many=True)
    facets = FacetsSerializer()


class OfferDistributorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class OfferWarehouseSerializer(serializers.Serializer):
    name = serializers.CharField()
    city = serializers.CharField(allow_blank=True)
    state = serializers.CharField()


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    distributor = OfferDistributorSerializer()
    warehouse = OfferWarehouseSerializer()
    sku = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    stock = serializers.IntegerField()
    in_stock = serializers.BooleanField()
    lead_time_days = serializers.IntegerField(allow_null=True)
    last_seen_at = serializers.DateTimeField(allow_null=True)
    in_buyer_state = serializers.BooleanField()
    is_best = serializers.BooleanField(help_text=_("The best offer for the buyer's state (listed first)."))


class ComplianceSerializer(serializers.Serializer):
    status = inline_enum(COMPLIANCE_STATUSES)
    label = serializers.CharField()
    required = serializers.BooleanField(help_text=_("Modules and inverters need an INMETRO registration."))
    flagged = serializers.BooleanField(help_text=_("Registration missing or expired."))
    inmetro_registration = serializers.CharField(allow_blank=True)
    inmetro_valid_until = serializers.DateField(allow_null=True)
    ence_class = serializers.CharField(allow_blank=True)
    ence_missing = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class PriceSummarySerializer(serializers.Serializer):
    min = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    median = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    per_wp = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)
    offer_count = serializers.IntegerField()


class SpecRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)


class KitComponentProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = kind_field()


class KitComponentSerializer(serializers.Serializer):
    product = KitComponentProductSerializer()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class KitSummarySerializer(serializers.Serializer):
    components = KitComponentSerializer(many=True)
    components_total = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    components_priced = serializers.BooleanField(help_text=_("Every component has a price."))
    kit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    savings = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text=_("Sum of the parts minus the kit price (negative: the kit costs more)."),
    )
    savings_pct = serializers.FloatField(allow_null=True)
    kwp_from_components = serializers.FloatField(allow_null=True)


class RecommendationItemSerializer(serializers.Serializer):
    product = ProductListItemSerializer()
    role = serializers.CharField(allow_blank=True)
    details = serializers.DictField(help_text=_("String design, similarity score, co-purchase count…"))


class RecommendationSetSerializer(serializers.Serializer):
    source = inline_enum(RECOMMENDATION_SOURCES)
    note = serializers.CharField(allow_blank=True)
    items = RecommendationItemSerializer(many=True)


class RecommendationsSerializer(serializers.Serializer):
    similar = RecommendationSetSerializer()
    compatible = RecommendationSetSerializer()
    frequently_bought_together = RecommendationSetSerializer(
        help_text=_(
            "Products that share baskets (kits today, orders later) with this one more often than "
            "chance: lift > 1; details carry support, confidence, lift and baskets."
        )
    )


class WarrantySerializer(serializers.Serializer):
    product_years = serializers.IntegerField(allow_null=True)
    performance_years = serializers.IntegerField(allow_null=True)


class ProductDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = kind_field()
    kind_label = serializers.CharField()
    model_code = serializers.CharField()
    brand = NamedRefSerializer()
    category = NamedRefSerializer()
    category_path = NamedRefSerializer(many=True)
    description = serializers.CharField(allow_blank=True)
    specs = serializers.DictField(help_text=_("Typed specs of the product's kind (catalog.specs)."))
    spec_table = SpecRowSerializer(many=True)
    power_w = serializers.FloatField(allow_null=True)
    energy_wh = serializers.FloatField(allow_null=True)
    phases = serializers.IntegerField(allow_null=True)
    voltage_v = serializers.IntegerField(allow_null=True)
    price = PriceSummarySerializer()
    in_stock = serializers.BooleanField()
    stock_states = serializers.ListField(child=serializers.CharField())
    buyer_state = serializers.CharField(allow_null=True)
    best_offer = OfferSerializer(allow_null=True)
    offers = OfferSerializer(many=True)
    compliance = ComplianceSerializer()
    warranty = WarrantySerializer()
    datasheet_url = serializers.CharField(allow_blank=True)
    images = serializers.ListField(child=serializers.CharField())
    kit = KitSummarySerializer(allow_null=True)
    recommendations = RecommendationsSerializer()
    quality_score = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)


class CategoryNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = kind_field()
    count = serializers.IntegerField(help_text=_("Active products in this category and below."))
    children = serializers.ListField(child=serializers.DictField(), help_text=_("Nested categories."))


class BrandSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    country = serializers.CharField(allow_blank=True)
    website = serializers.CharField(allow_blank=True)


class DistributorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    website = serializers.CharField(allow_blank=True)
    states = serializers.ListField(child=serializers.CharField(), help_text=_("States of its warehouses."))

"""The storefront's product filters as a django-filter FilterSet.

The FilterSet validates the query string (bad values → 400 with field errors) and turns it into
``catalog.search.filters.ProductFilters``, which the list, the search and the portal apply the
same way in SQL and in the vector index. The portal uses this FilterSet's form too.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Brand, Category, Distributor, Product
from catalog.models.taxonomy import ProductKind
from catalog.search.filters import ProductFilters
from catalog.storefront.listing import category_subtree_ids, products_ordered
from ysh.users.validators import BRAZILIAN_STATES

BOOLEAN_CHOICES = (("true", _("yes")), ("false", _("no")))
PHASE_CHOICES = ((1, _("single-phase")), (2, _("two-phase")), (3, _("three-phase")))
ORDERING_CHOICES = (
    ("newest", _("newest first")),
    ("price", _("lowest price")),
    ("-price", _("highest price")),
    ("price_per_wp", _("lowest price per Wp")),
    ("power", _("lowest power")),
    ("-power", _("highest power")),
)


class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class ProductFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        for low, high in (("power_min", "power_max"), ("price_min", "price_max")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, _("Must be greater than or equal to %(field)s.") % {"field": low})
        return data


class ProductFilterSet(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(
        choices=ProductKind.choices, label=_("Kind (repeat the parameter for several)")
    )
    category = filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        label=_("Category slug (its sub-categories are included)"),
    )
    brand = filters.ModelMultipleChoiceFilter(
        queryset=Brand.objects.all(), to_field_name="slug", label=_("Brand slug (repeat for several)")
    )
    distributor = filters.ModelChoiceFilter(
        queryset=Distributor.objects.filter(is_active=True),
        to_field_name="slug",
        label=_("Distributor slug: products it offers"),
    )
    power_min = filters.NumberFilter(min_value=0, max_value=10_000_000, label=_("Minimum power (W)"))
    power_max = filters.NumberFilter(min_value=0, max_value=10_000_000, label=_("Maximum power (W)"))
    price_min = filters.NumberFilter(min_value=0, max_value=100_000_000, label=_("Minimum best price (BRL)"))
    price_max = filters.NumberFilter(min_value=0, max_value=100_000_000, label=_("Maximum best price (BRL)"))
    phases = filters.TypedChoiceFilter(choices=PHASE_CHOICES, coerce=int, label=_("Phases"))
    voltage = IntegerFilter(min_value=1, max_value=100_000, label=_("Grid voltage (V)"))
    in_stock = filters.TypedChoiceFilter(
        choices=BOOLEAN_CHOICES, coerce=lambda value: value == "true", label=_("In stock (true/false)")
    )
    state = filters.ChoiceFilter(
        choices=BRAZILIAN_STATES,
        label=_("Buyer's state (UF): products with an active offer from a warehouse there"),
    )
    ordering = filters.ChoiceFilter(choices=ORDERING_CHOICES, label=_("Ordering"))

    class Meta:
        model = Product
        fields: list[str] = []
        form = ProductFilterForm

    def product_filters(self) -> ProductFilters:
        """The validated filters (call after ``is_valid()``)."""
        data = self.form.cleaned_data
        category = data.get("category")
        brands = data.get("brand") or []
        distributor = data.get("distributor")
        return ProductFilters(
            kinds=tuple(data.get("kind") or ()),
            category_id=category.id if category else None,
            category_ids=category_subtree_ids(category.id) if category else (),
            brand_ids=tuple(sorted(brand.id for brand in brands)),
            distributor_id=distributor.id if distributor else None,
            power_min=data.get("power_min"),
            power_max=data.get("power_max"),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            phases=data.get("phases") or None,
            voltage_v=data.get("voltage"),
            in_stock=data.get("in_stock") if data.get("in_stock") in (True, False) else None,
            state=data.get("state") or None,
        )

    def chosen_ordering(self) -> str | None:
        """The validated ``ordering`` (None: the default). Not named ``ordering``: a class
        attribute of that name would replace the declared filter."""
        return self.form.cleaned_data.get("ordering") or None

    def filter_queryset(self, queryset):
        return products_ordered(self.product_filters().apply(queryset), self.chosen_ordering())

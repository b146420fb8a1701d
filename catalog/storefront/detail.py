"""The product page: specs, offers (the buyer's best first), compliance, warranty, kit pricing
and recommendations, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.compliance import compliance_of, kit_compliance
from catalog.models import KitComponent, Offer, Product
from catalog.models.taxonomy import ProductKind
from catalog.recommendations import UNAVAILABLE_NOTE, RecommendationSet, product_recommendations
from catalog.search.cache import cache_key
from catalog.search.text import number_text
from catalog.storefront.listing import category_nodes, money_text, number_value, products_by_ids

K = ProductKind
RECOMMENDATIONS_TTL = 60

# key → (label, unit) in display order; keys not listed are shown after these, raw.
SPEC_LABELS: dict[str, tuple[Any, str]] = {
    "power_w": (_("Nominal power"), "Wp"),
    "ac_power_w": (_("AC power"), "W"),
    "max_dc_power_w": (_("Maximum DC power"), "W"),
    "capacity_kwh": (_("Capacity"), "kWh"),
    "usable_kwh": (_("Usable capacity"), "kWh"),
    "power_kwp": (_("Power"), "kWp"),
    "efficiency_pct": (_("Efficiency"), "%"),
    "cell_type": (_("Cell type"), ""),
    "bifacial": (_("Bifacial"), ""),
    "half_cell": (_("Half cell"), ""),
    "voc_v": (_("Open-circuit voltage (Voc)"), "V"),
    "isc_a": (_("Short-circuit current (Isc)"), "A"),
    "vmp_v": (_("MPP voltage (Vmp)"), "V"),
    "imp_a": (_("MPP current (Imp)"), "A"),
    "temp_coeff_pmax_pct": (_("Pmax temperature coefficient"), "%/°C"),
    "temp_coeff_voc_pct": (_("Voc temperature coefficient"), "%/°C"),
    "length_mm": (_("Length"), "mm"),
    "width_mm": (_("Width"), "mm"),
    "thickness_mm": (_("Thickness"), "mm"),
    "weight_kg": (_("Weight"), "kg"),
    "inverter_type": (_("Inverter type"), ""),
    "mppt_count": (_("MPPTs"), ""),
    "strings_per_mppt": (_("Strings per MPPT"), ""),
    "mppt_min_v": (_("MPPT minimum voltage"), "V"),
    "mppt_max_v": (_("MPPT maximum voltage"), "V"),
    "max_dc_voltage_v": (_("Maximum DC voltage"), "V"),
    "max_input_current_a": (_("Maximum input current"), "A"),
    "modules_per_unit": (_("Modules per unit"), ""),
    "phases": (_("Phases"), ""),
    "grid_voltage_v": (_("Grid voltage"), "V"),
    "chemistry": (_("Chemistry"), ""),
    "nominal_voltage_v": (_("Nominal voltage"), "V"),
    "cycles": (_("Cycles"), ""),
    "dod_pct": (_("Depth of discharge"), "%"),
    "module_count": (_("Modules"), ""),
    "inverter_count": (_("Inverters"), ""),
    "roof_type": (_("Roof type"), ""),
    "modules_supported": (_("Modules supported"), ""),
    "material": (_("Material"), ""),
    "inputs": (_("Inputs"), ""),
    "outputs": (_("Outputs"), ""),
    "max_voltage_v": (_("Maximum voltage"), "V"),
    "max_current_a": (_("Maximum current"), "A"),
    "section_mm2": (_("Cross-section"), "mm²"),
    "color": (_("Color"), ""),
    "voltage_rating_v": (_("Rated voltage"), "V"),
}


def spec_table(specs: dict[str, Any]) -> list[dict[str, Any]]:
    """Specs as labelled rows for display, known keys first in a sensible order."""
    rows = []
    known = [key for key in SPEC_LABELS if key in specs]
    extra = sorted(key for key in specs if key not in SPEC_LABELS)
    for key in known + extra:
        value = specs[key]
        if value in (None, "") or isinstance(value, dict | list):
            continue
        label, unit = SPEC_LABELS.get(key, (key.replace("_", " "), ""))
        if isinstance(value, bool):
            value, unit = (_("yes") if value else _("no")), ""
        elif isinstance(value, int | float):
            value = number_text(value, 3)  # 21,3 — decimals the Brazilian way
        rows.append({"key": key, "label": str(label), "value": str(value), "unit": unit})
    return rows


@dataclass(frozen=True)
class OfferView:
    id: int
    distributor: dict[str, Any]
    warehouse: dict[str, Any]
    sku: str
    title: str
    url: str
    price: Decimal
    stock: int
    lead_time_days: int | None
    last_seen_at: Any
    in_buyer_state: bool
    is_best: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "distributor": self.distributor,
            "warehouse": self.warehouse,
            "sku": self.sku,
            "title": self.title,
            "url": self.url,
            "price": money_text(self.price),
            "stock": self.stock,
            "in_stock": self.stock > 0,
            "lead_time_days": self.lead_time_days,
            "last_seen_at": self.last_seen_at.isoformat() if self.last_seen_at else None,
            "in_buyer_state": self.in_buyer_state,
            "is_best": self.is_best,
        }


def offers_ranked(offers: list[Offer], *, state: str | None) -> list[OfferView]:
    """Offers with the buyer's best first: in their state with stock, cheapest; else with stock
    anywhere, cheapest; else the cheapest. The rest follow by (state, stock, price, lead time)."""
    views = [
        OfferView(
            id=offer.id,
            distributor={
                "id": offer.distributor_id,
                "name": offer.distributor.name,
                "slug": offer.distributor.slug,
            },
            warehouse={
                "name": offer.warehouse.name,
                "city": offer.warehouse.city,
                "state": offer.warehouse.state,
            },
            sku=offer.sku,
            title=offer.title,
            url=offer.url,
            price=offer.price,
            stock=offer.stock,
            lead_time_days=offer.lead_time_days,
            last_seen_at=offer.last_seen_at,
            in_buyer_state=bool(state) and offer.warehouse.state == state,
        )
        for offer in offers
    ]
    views.sort(
        key=lambda v: (
            not v.in_buyer_state,
            v.stock <= 0,
            v.price,
            v.lead_time_days if v.lead_time_days is not None else 999,
            v.id,
        )
    )
    if not views:
        return views
    stocked = [v for v in views if v.stock > 0]
    in_state = [v for v in stocked if v.in_buyer_state]
    best = (
        in_state or sorted(stocked, key=lambda v: (v.price, v.id)) or sorted(views, key=lambda v: v.price)
    )[0]
    rest = [v for v in views if v.id != best.id]
    return [OfferView(**{**best.__dict__, "is_best": True}), *rest]


def kit_summary(components: list[KitComponent], kit: Product) -> dict[str, Any]:
    """The kit against the sum of its parts at their best prices, and its kWp from its modules."""
    rows, total, complete, module_wp = [], Decimal(0), True, Decimal(0)
    for part in components:
        component = part.component
        unit = component.min_price
        subtotal = unit * part.quantity if unit is not None else None
        if subtotal is None:
            complete = False
        else:
            total += subtotal
        if component.kind == K.MODULE and component.power_w:
            module_wp += component.power_w * part.quantity
        rows.append(
            {
                "product": {
                    "id": component.id,
                    "name": component.name,
                    "slug": component.slug,
                    "kind": component.kind,
                },
                "quantity": part.quantity,
                "unit_price": money_text(unit),
                "subtotal": money_text(subtotal),
            }
        )
    kit_price = kit.min_price
    difference = (total - kit_price) if (kit_price is not None and complete and rows) else None
    return {
        "components": rows,
        "components_total": money_text(total) if rows else None,
        "components_priced": complete,
        "kit_price": money_text(kit_price),
        "savings": money_text(difference),
        "savings_pct": (
            float(round(difference / total * 100, 1)) if difference is not None and total > 0 else None
        ),
        "kwp_from_components": number_value(module_wp / 1000) if module_wp else None,
    }


def _recommendation_payload(sets: dict[str, RecommendationSet]) -> dict[str, Any]:
    ids: list[int] = []
    for recommendation in sets.values():
        ids += [pid for pid in recommendation.product_ids if pid not in ids]
    rows = {row["id"]: row for row in products_by_ids(ids)}
    payload = {}
    for name, recommendation in sets.items():
        payload[name] = {
            "source": recommendation.source,
            "note": recommendation.note,
            "items": [
                {"product": rows[item.product_id], "role": item.role, "details": item.details}
                for item in recommendation.items
                if item.product_id in rows
            ],
        }
    return payload


def recommendations_cached(
    *, product: Product, module_count: int | None, kit_parts: list[tuple[Product, int]] | None
) -> dict[str, Any]:
    """The product page's recommendations, memoized for a minute per product (and index
    generation): they read hundreds of candidates' specs and the vector index. An answer that
    had to fall back because the vector index was down is not kept."""
    key = cache_key("recommendations", {"product": product.id, "modules": module_count})
    payload = cache.get(key)
    if payload is None:
        sets = product_recommendations(product=product, module_count=module_count, kit_parts=kit_parts)
        payload = _recommendation_payload(sets)
        if not any(s.note.startswith(UNAVAILABLE_NOTE) for s in sets.values()):
            cache.set(key, payload, RECOMMENDATIONS_TTL)
    return payload


def category_path(category_id: int) -> list[dict[str, Any]]:
    """Root-first breadcrumb of a category (from the cached tree)."""
    nodes = {node.id: node for node in category_nodes()}
    path, current, guard = [], nodes.get(category_id), 0
    while current is not None and guard < 20:
        path.append({"id": current.id, "name": current.name, "slug": current.slug})
        current = nodes.get(current.parent_id)
        guard += 1
    return list(reversed(path))


def product_detail(*, product: Product, state: str | None, module_count: int | None = None) -> dict[str, Any]:
    """Everything the product page shows. ``product`` comes with brand and category loaded
    (``product_for_page``); ``state`` is the buyer's UF (or None)."""
    offers = list(
        Offer.objects.filter(product=product, is_active=True).select_related("distributor", "warehouse")
    )
    ranked = offers_ranked(offers, state=state)
    components: list[KitComponent] = []
    if product.kind == K.KIT:
        components = list(
            KitComponent.objects.filter(kit=product)
            .select_related("component")
            .order_by("component__kind", "id")
        )
    today = timezone.localdate()
    compliance = compliance_of(product, today=today)
    if product.kind == K.KIT and components:
        compliance = kit_compliance([compliance_of(c.component, today=today) for c in components])
    kit_parts = [(c.component, c.quantity) for c in components] if product.kind == K.KIT else None
    recommendations = recommendations_cached(product=product, module_count=module_count, kit_parts=kit_parts)
    return {
        "id": product.id,
        "slug": product.slug,
        "name": product.name,
        "kind": product.kind,
        "kind_label": str(product.get_kind_display()),
        "model_code": product.model_code,
        "brand": {"id": product.brand_id, "name": product.brand.name, "slug": product.brand.slug},
        "category": {"id": product.category_id, "name": product.category.name, "slug": product.category.slug},
        "category_path": category_path(product.category_id),
        "description": product.description,
        "specs": product.specs or {},
        "spec_table": spec_table(product.specs or {}),
        "power_w": number_value(product.power_w),
        "energy_wh": number_value(product.energy_wh),
        "phases": product.phases,
        "voltage_v": product.voltage_v,
        "price": {
            "min": money_text(product.min_price),
            "max": money_text(product.max_price),
            "median": money_text(product.median_price),
            "per_wp": None if product.price_per_wp is None else f"{product.price_per_wp:.4f}",
            "offer_count": product.offer_count,
        },
        "in_stock": product.in_stock,
        "stock_states": product.stock_states or [],
        "buyer_state": state,
        "best_offer": ranked[0].as_dict() if ranked else None,
        "offers": [offer.as_dict() for offer in ranked],
        "compliance": compliance.as_dict(),
        "warranty": {
            "product_years": product.warranty_years,
            "performance_years": product.performance_warranty_years,
        },
        "datasheet_url": product.datasheet_url,
        "images": [image for image in (product.images or []) if isinstance(image, str)],
        "kit": kit_summary(components, product) if product.kind == K.KIT else None,
        "recommendations": recommendations,
        "quality_score": product.quality_score,
        "updated_at": product.updated_at.isoformat() if product.updated_at else None,
    }


def product_for_page(*, product_id: int) -> Product:
    """The active product with brand and category (raises Product.DoesNotExist)."""
    return Product.objects.select_related("brand", "category").get(id=product_id, is_active=True)

"""Read-side queries of the catalog app used by the admin, the coverage report and other apps.
(The storefront's reads live in ``catalog.search`` and ``catalog.api``.)"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from catalog.models import ImportRun, Product, RawListing
from catalog.models.imports import DedupDecision, ImportRunStatus
from catalog.models.taxonomy import ProductKind
from catalog.pipeline.validate import INMETRO_KINDS
from catalog.specs import KEY_FIELDS, specs_coverage

#: Quality score buckets of the coverage report.
QUALITY_BUCKETS = ((0, 39), (40, 59), (60, 79), (80, 100))


def products_noncompliant(queryset: QuerySet | None = None, *, today: date | None = None) -> QuerySet:
    """Modules and inverters whose INMETRO registration is missing or expired (Brazilian shops
    must not sell them without one). The rule itself lives in ``catalog.compliance``."""
    from catalog.compliance import noncompliant_q

    queryset = Product.objects.all() if queryset is None else queryset
    return queryset.filter(noncompliant_q(today=today))


def product_compliance_status(product: Product, *, today: date | None = None) -> str:
    """ "ok", "missing", "expired" or "not_required" for one product (admin column)."""
    if product.kind not in INMETRO_KINDS:
        return "not_required"
    if not product.inmetro_registration:
        return "missing"
    today = today or timezone.localdate()
    if product.inmetro_valid_until and product.inmetro_valid_until < today:
        return "expired"
    return "ok"


#: Kinds whose certification the report counts: INMETRO for modules and inverters, and
#: batteries (INMETRO or ENCE when the distributor states one). Other kinds: not applicable.
CERTIFIABLE_KINDS = INMETRO_KINDS | {ProductKind.BATTERY}


@dataclass(frozen=True)
class KindCoverage:
    kind: str
    label: str
    products: int
    with_price: float
    with_warranty: float
    with_certification: float | None  # None: not applicable to the kind
    technical_specs: float | None  # mean share of the kind's key spec fields filled
    complete_specs: float | None  # share of products with every key field
    with_images: float
    with_datasheet: float
    with_inmetro: float | None  # valid (not expired) registration; modules and inverters only
    mean_quality: float


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _weighted(rows: list[KindCoverage], attr: str) -> float:
    applicable = [(getattr(r, attr), r.products) for r in rows if getattr(r, attr) is not None]
    total = sum(n for _, n in applicable)
    return round(sum(value * n for value, n in applicable) / total, 1) if total else 0.0


def catalog_coverage_report(*, today: date | None = None) -> dict:
    """What share of active products has price, warranty, certifications, technical specs,
    images, datasheet and a valid INMETRO registration, per kind and overall (over the kinds each
    item applies to), plus the quality score distribution — the seed's ``schema_coverage``.
    Percentages 0–100. One aggregate query for the counts; spec coverage reads ``kind`` and
    ``specs`` of active products, streamed."""
    today = today or timezone.localdate()
    active = Product.objects.filter(is_active=True)
    valid_inmetro = ~Q(inmetro_registration="") & (
        Q(inmetro_valid_until__isnull=True) | Q(inmetro_valid_until__gte=today)
    )
    certified = ~Q(inmetro_registration="") | ~Q(ence_class="")
    buckets = {
        f"q{low}": Count("id", filter=Q(quality_score__gte=low, quality_score__lte=high))
        for low, high in QUALITY_BUCKETS
    }
    rows = active.values("kind").annotate(
        products=Count("id"),
        with_price=Count("id", filter=Q(min_price__isnull=False)),
        with_warranty=Count("id", filter=Q(warranty_years__isnull=False)),
        with_certification=Count("id", filter=certified),
        with_images=Count("id", filter=~Q(images=[])),
        with_datasheet=Count("id", filter=~Q(datasheet_url="")),
        with_inmetro=Count("id", filter=valid_inmetro),
        **buckets,
    )
    spec_share: dict[str, list[float]] = {}
    scores: dict[str, list[int]] = {}
    for kind, specs, score in active.values_list("kind", "specs", "quality_score").iterator(chunk_size=2000):
        spec_share.setdefault(kind, []).append(specs_coverage(kind, specs or {}))
        scores.setdefault(kind, []).append(score)
    labels = dict(ProductKind.choices)
    kinds: list[KindCoverage] = []
    distribution = {f"{low}-{high}": 0 for low, high in QUALITY_BUCKETS}
    for row in sorted(rows, key=lambda r: -r["products"]):
        kind, n = row["kind"], row["products"]
        shares = spec_share.get(kind, [])
        has_key_fields = kind in KEY_FIELDS and bool(shares)
        kinds.append(
            KindCoverage(
                kind=kind,
                label=str(labels.get(kind, kind)),
                products=n,
                with_price=_share(row["with_price"], n),
                with_warranty=_share(row["with_warranty"], n),
                with_certification=_share(row["with_certification"], n)
                if kind in CERTIFIABLE_KINDS
                else None,
                technical_specs=round(100 * sum(shares) / len(shares), 1) if has_key_fields else None,
                complete_specs=_share(sum(1 for x in shares if x >= 1), n) if has_key_fields else None,
                with_images=_share(row["with_images"], n),
                with_datasheet=_share(row["with_datasheet"], n),
                with_inmetro=_share(row["with_inmetro"], n) if kind in INMETRO_KINDS else None,
                mean_quality=round(sum(scores.get(kind, [0])) / max(1, len(scores.get(kind, []))), 1),
            )
        )
        for low, high in QUALITY_BUCKETS:
            distribution[f"{low}-{high}"] += row[f"q{low}"]
    total = sum(k.products for k in kinds)
    all_scores = [x for values in scores.values() for x in values]
    return {
        "generated_at": timezone.now().isoformat(),
        "products": total,
        "overall": {
            "price_analysis": _weighted(kinds, "with_price"),
            "warranty": _weighted(kinds, "with_warranty"),
            "certifications": _weighted(kinds, "with_certification"),
            "technical_specs": _weighted(kinds, "technical_specs"),
            "images": _weighted(kinds, "with_images"),
            "datasheet": _weighted(kinds, "with_datasheet"),
            "inmetro": _weighted(kinds, "with_inmetro"),
            "mean_quality": round(sum(all_scores) / len(all_scores), 1) if all_scores else 0.0,
        },
        "quality_distribution": [
            {"range": key, "products": count, "share": _share(count, total)}
            for key, count in distribution.items()
        ],
        "kinds": [k.__dict__ for k in kinds],
    }


def kit_price_breakdown(*, kit: Product) -> dict:
    """A kit's price against the sum of its parts at their best prices (components without an
    active offer are listed as missing, and the comparison is then partial)."""
    parts = []
    total = Decimal(0)
    missing = []
    for component in kit.components.select_related("component").order_by("component__kind", "id"):
        product = component.component
        if product.min_price is None:
            missing.append(product.name)
            continue
        subtotal = product.min_price * component.quantity
        total += subtotal
        parts.append({"product_id": product.pk, "name": product.name, "quantity": component.quantity,
                      "unit_price": product.min_price, "subtotal": subtotal})  # fmt: skip
    return {
        "kit_price": kit.min_price,
        "parts_price": total if parts else None,
        "saving": (total - kit.min_price) if parts and kit.min_price is not None and not missing else None,
        "parts": parts,
        "missing": missing,
    }


def import_runs_latest(*, limit: int = 20) -> QuerySet:
    return ImportRun.objects.select_related("distributor", "triggered_by").order_by("-id")[:limit]


def import_run_running(*, distributor_id: int) -> ImportRun | None:
    return ImportRun.objects.filter(distributor_id=distributor_id, status=ImportRunStatus.RUNNING).first()


def raw_listings_of_run(*, import_run: ImportRun, status: str | None = None) -> QuerySet:
    queryset = RawListing.objects.filter(import_run=import_run).select_related("product")
    return queryset.filter(status=status) if status else queryset


def dedup_queue_size() -> int:
    from catalog.models import DedupCandidate

    return DedupCandidate.objects.filter(decision=DedupDecision.PENDING).count()

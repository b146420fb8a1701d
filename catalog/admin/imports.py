"""Import runs with drill-down into their raw listings, and the deduplication review queue."""

import contextlib
import json

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import services
from catalog.models import DedupCandidate, ImportRun, RawListing
from catalog.models.imports import DedupDecision
from ysh.errors import DomainError


def _pre(text: str):
    return format_html('<pre style="white-space:pre-wrap;max-height:40em;overflow:auto">{}</pre>', text)


def _reasons(reasons) -> str:
    if not reasons:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in reasons)))


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "distributor",
        "status",
        "trigger",
        "started_at",
        "duration",
        "fetched",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "review",
        "deactivated",
        "listings_link",
    ]
    list_filter = ["status", "trigger", "distributor"]
    list_select_related = ["distributor"]
    readonly_fields = [f.name for f in ImportRun._meta.fields] + [
        "duration",
        "errors_display",
        "listings_links",
    ]
    exclude = ["errors"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The audit log of imports; deleting a run would cascade to its raw listings and with
        # them to staff's dedup decisions. Old listings go through raw_listings_prune instead.
        return False

    @admin.display(description=_("duration (s)"))
    def duration(self, obj):
        seconds = obj.duration_seconds
        return f"{seconds:.1f}" if seconds is not None else "—"

    @admin.display(description=_("listings"))
    def listings_link(self, obj):
        url = reverse("admin:catalog_rawlisting_changelist") + f"?import_run__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("listings"))

    @admin.display(description=_("listings by status"))
    def listings_links(self, obj):
        base = reverse("admin:catalog_rawlisting_changelist") + f"?import_run__id__exact={obj.pk}"
        counts = [
            ("new", obj.created),
            ("updated", obj.updated),
            ("unchanged", obj.unchanged),
            ("rejected", obj.rejected),
            ("review", obj.review),
        ]
        return format_html_join(
            " · ", '<a href="{}&status__exact={}">{} ({})</a>', ((base, s, s, n) for s, n in counts)
        )

    @admin.display(description=_("errors"))
    def errors_display(self, obj):
        return _reasons(obj.errors)


class RunFilter(admin.SimpleListFilter):
    """Filter by import run without listing every run (the drill-down link sets it)."""

    title = _("import run")
    parameter_name = "import_run__id__exact"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, f"#{value}")] if value else []

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(import_run_id=value) if value and value.isdigit() else queryset


@admin.register(RawListing)
class RawListingAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "distributor",
        "status",
        "title",
        "reasons_short",
        "quality_score",
        "product",
    ]
    list_filter = ["status", RunFilter, "distributor"]
    list_select_related = ["distributor", "product"]
    search_fields = ["=external_id", "content_hash"]
    show_full_result_count = False
    fields = [
        "import_run",
        "distributor",
        "external_id",
        "source_url",
        "status",
        "reasons_display",
        "quality_score",
        "product",
        "offer",
        "content_hash",
        "created_at",
        "raw_display",
        "normalized_display",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("title"))
    def title(self, obj):
        return (obj.normalized or {}).get("title", "")[:80]

    @admin.display(description=_("reasons"))
    def reasons_short(self, obj):
        return "; ".join(str(r) for r in (obj.reasons or [])[:2])[:160]

    @admin.display(description=_("reasons"))
    def reasons_display(self, obj):
        return _reasons(obj.reasons)

    @admin.display(description=_("as received"))
    def raw_display(self, obj):
        text = obj.raw
        # JSON listings are easier to read indented; everything else is shown verbatim.
        with contextlib.suppress(TypeError, ValueError):
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        return _pre(text)

    @admin.display(description=_("normalized"))
    def normalized_display(self, obj):
        return _pre(json.dumps(obj.normalized or {}, indent=2, ensure_ascii=False, sort_keys=True))


@admin.register(DedupCandidate)
class DedupCandidateAdmin(admin.ModelAdmin):
    list_display = ["listing_title", "distributor", "candidate", "score", "decision", "why", "decided_by"]
    list_filter = ["decision"]
    list_select_related = ["listing", "listing__distributor", "candidate", "decided_by"]
    search_fields = ["listing__external_id", "candidate__name", "candidate__model_code"]
    fields = [
        "listing",
        "listing_summary",
        "candidate",
        "candidate_summary",
        "score",
        "why",
        "decision",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = fields
    actions = ["merge", "keep_separate"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("listing", "listing__distributor", "candidate")

    @admin.display(description=_("listing"))
    def listing_title(self, obj):
        return (obj.listing.normalized or {}).get("title", obj.listing.external_id)

    @admin.display(description=_("distributor"))
    def distributor(self, obj):
        return obj.listing.distributor

    @admin.display(description=_("why"))
    def why(self, obj):
        return "; ".join(str(r) for r in obj.reasons or [])

    @admin.display(description=_("listing (normalized)"))
    def listing_summary(self, obj):
        data = obj.listing.normalized or {}
        keys = ["title", "brand_name", "model_code", "model_key", "kind", "price", "specs"]
        return _pre(json.dumps({k: data.get(k) for k in keys}, indent=2, ensure_ascii=False))

    @admin.display(description=_("candidate product"))
    def candidate_summary(self, obj):
        product = obj.candidate
        data = {
            "name": product.name,
            "model_code": product.model_code,
            "model_key": product.model_key,
            "specs": product.specs,
        }
        return _pre(json.dumps(data, indent=2, ensure_ascii=False, default=str))

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for candidate in queryset.filter(decision=DedupDecision.PENDING):
            try:
                decide(candidate=candidate, user=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{candidate}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        decided = queryset.exclude(decision=DedupDecision.PENDING).count()
        if decided:
            self.message_user(
                request,
                ngettext(
                    "%(count)d match was already decided and was left as it is.",
                    "%(count)d matches were already decided and were left as they are.",
                    decided,
                )
                % {"count": decided},
                messages.WARNING,
            )

    @admin.action(description=_("Merge: the listing is the candidate product"))
    def merge(self, request, queryset):
        self._decide(request, queryset, services.dedup_candidate_merge, _("%(count)d merged."))

    @admin.action(description=_("Keep separate: a different product"))
    def keep_separate(self, request, queryset):
        self._decide(request, queryset, services.dedup_candidate_separate, _("%(count)d kept separate."))

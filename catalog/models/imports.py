"""Import runs, raw listings kept as received, and the deduplication review queue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.products import Offer, Product
from catalog.models.taxonomy import Distributor


class ImportRunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    PARTIAL = "partial", _("finished with errors")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped (another run in progress)")


class ImportTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("schedule")
    ADMIN = "admin", _("admin")
    DEMO = "demo", _("demo data")
    API = "api", _("API")
    COMMAND = "command", _("command")


class ImportRun(models.Model):
    distributor = models.ForeignKey(
        Distributor, verbose_name=_("distributor"), on_delete=models.CASCADE, related_name="import_runs"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ImportRunStatus.choices,
        default=ImportRunStatus.QUEUED,
        db_index=True,
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=ImportTrigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triggered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    fetched = models.PositiveIntegerField(_("fetched"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    review = models.PositiveIntegerField(_("sent to review"), default=0)
    deactivated = models.PositiveIntegerField(_("offers no longer listed"), default=0)
    pages = models.PositiveIntegerField(_("pages/files fetched"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-id"]
        constraints = [
            # Runs of one distributor never overlap: the database refuses a second running run.
            models.UniqueConstraint(
                fields=["distributor"],
                condition=models.Q(status="running"),
                name="import_run_one_running_per_distributor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.distributor} #{self.pk} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ListingStatus(models.TextChoices):
    NEW = "new", _("new")
    UPDATED = "updated", _("updated")
    UNCHANGED = "unchanged", _("unchanged")
    REJECTED = "rejected", _("rejected")
    REVIEW = "review", _("waiting for review")


class RawListing(models.Model):
    """One listing exactly as the distributor published it, plus what the pipeline made of it."""

    import_run = models.ForeignKey(
        ImportRun, verbose_name=_("import run"), on_delete=models.CASCADE, related_name="listings"
    )
    distributor = models.ForeignKey(
        Distributor, verbose_name=_("distributor"), on_delete=models.CASCADE, related_name="raw_listings"
    )
    external_id = models.CharField(_("external id"), max_length=120)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True, default="")
    raw = models.TextField(_("as received"))
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True)
    normalized = models.JSONField(_("normalized"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ListingStatus.choices, db_index=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    quality_score = models.PositiveSmallIntegerField(_("quality score"), default=0)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("raw listing")
        verbose_name_plural = _("raw listings")
        ordering = ["-id"]
        indexes = [models.Index(fields=["distributor", "external_id", "-id"])]

    def __str__(self) -> str:
        return f"{self.distributor} {self.external_id}"


class DedupDecision(models.TextChoices):
    PENDING = "pending", _("pending")
    MERGED = "merged", _("merged into the candidate")
    SEPARATE = "separate", _("kept as a new product")


class DedupCandidate(models.Model):
    """An uncertain match: the listing may be ``candidate``; staff decide."""

    listing = models.ForeignKey(
        RawListing, verbose_name=_("listing"), on_delete=models.CASCADE, related_name="dedup_candidates"
    )
    candidate = models.ForeignKey(
        Product,
        verbose_name=_("candidate product"),
        on_delete=models.CASCADE,
        related_name="dedup_candidates",
    )
    score = models.DecimalField(_("similarity"), max_digits=5, decimal_places=2)
    reasons = models.JSONField(_("why"), default=list, blank=True)
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=DedupDecision.choices,
        default=DedupDecision.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deduplication candidate")
        verbose_name_plural = _("deduplication review queue")
        ordering = ["decision", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "candidate"], name="dedup_candidate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.listing} ~ {self.candidate} ({self.score})"

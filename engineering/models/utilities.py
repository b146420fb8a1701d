"""Electricity distributors (ANEEL ``SigAgente``) and their published tariffs, with history.

A refresh never overwrites a tariff: every distinct (key, validity, values) combination is its own
row, identified by ``fingerprint``. When ANEEL republishes a validity with different values, the new
row is stored and the older one gets ``superseded_at``; both stay for audit."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Utility(models.Model):
    """A distributor as ANEEL names it. Imports key on ``cnpj`` (``NumCNPJDistribuidora``): the same
    CNPJ can appear under two ``SigAgente`` spellings (e.g. ``RGE``/``RGE SUL``); the first one seen is
    ``sig_agente`` and the others are kept in ``aliases``."""

    sig_agente = models.CharField(_("ANEEL agent (SigAgente)"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=160)
    cnpj = models.CharField(_("CNPJ"), max_length=14, unique=True, null=True, blank=True)
    aliases = models.JSONField(_("other SigAgente spellings"), default=list, blank=True)
    states = models.JSONField(_("states served"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("utility")
        verbose_name_plural = _("utilities")
        ordering = ["sig_agente"]

    def __str__(self) -> str:
        return self.name if self.name == self.sig_agente else f"{self.name} ({self.sig_agente})"


class TariffSource(models.TextChoices):
    CKAN = "ckan", _("ANEEL open data (CKAN datastore)")
    CSV = "csv", _("ANEEL open data (CSV resource)")
    SNAPSHOT = "snapshot", _("shipped snapshot")


class Tariff(models.Model):
    """One row of ANEEL's "Tarifas de aplicação das distribuidoras" dataset, values as published
    (R$/MWh for energy rows, R$/kW for demand rows; taxes not included)."""

    utility = models.ForeignKey(
        Utility, verbose_name=_("utility"), on_delete=models.PROTECT, related_name="tariffs"
    )
    resolution = models.CharField(_("resolution (DscREH)"), max_length=255, blank=True, default="")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    base = models.CharField(_("tariff base"), max_length=60)
    subgroup = models.CharField(_("subgroup"), max_length=10)
    modality = models.CharField(_("modality"), max_length=60)
    klass = models.CharField(_("class"), max_length=80)
    subclass = models.CharField(_("subclass"), max_length=120)
    detail = models.CharField(_("detail"), max_length=120)
    posto = models.CharField(_("tariff post"), max_length=60)
    unit = models.CharField(_("unit"), max_length=10)
    accessor = models.CharField(_("accessing agent"), max_length=120, blank=True, default="")
    tusd_rs_mwh = models.DecimalField(_("TUSD (R$/MWh or R$/kW)"), max_digits=14, decimal_places=4)
    te_rs_mwh = models.DecimalField(_("TE (R$/MWh)"), max_digits=14, decimal_places=4)
    fio_b_rs_mwh = models.DecimalField(
        _("TUSD Fio B (R$/MWh)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=10, choices=TariffSource.choices)
    dataset_generated_on = models.DateField(_("dataset generated on"), null=True, blank=True)
    key_hash = models.CharField(_("key hash"), max_length=64, db_index=True, editable=False)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True, editable=False)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["utility", "subgroup", "modality", "klass", "-valid_from", "-first_seen"]
        indexes = [
            models.Index(
                fields=["utility", "subgroup", "modality", "klass", "valid_from"],
                name="eng_tariff_lookup_idx",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.utility.sig_agente} {self.subgroup} {self.modality} {self.klass} "
            f"{self.valid_from}→{self.valid_to or '…'}"
        )


class RefreshStatus(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class TariffRefreshRun(models.Model):
    """One execution of ``tariffs_refresh``: what came in and, on failure, why. A failed run leaves
    the stored tariffs untouched."""

    source = models.CharField(_("source"), max_length=10, choices=TariffSource.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RefreshStatus.choices, default=RefreshStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("tariff refresh run")
        verbose_name_plural = _("tariff refresh runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

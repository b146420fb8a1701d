"""Utilities (concessionárias) and the tariff a consumer pays (``tariff_for_consumer``), plus
read-side selectors. Import/refresh with history lives in ``engineering.tariff_import`` (re-exported
here: ``tariffs_refresh``, ``tariffs_import``).

The final price is an ESTIMATE: ANEEL publishes TUSD and TE without taxes; ICMS comes from the
shipped table of residential rates by state (``data/icms_residential.csv``) and PIS/COFINS from the
``TARIFF_PIS_COFINS_PCT`` setting (default 5.5% combined). Taxes are applied "por dentro":
``final = (TUSD + TE) / (1 − ICMS − PIS/COFINS)``.
"""

import csv
import logging
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from engineering.conf import client_setting
from engineering.models import Tariff, TariffSource, Utility
from engineering.tariff_import import (  # re-exported: the tariffs API of the app
    DEFAULT_REFRESH_FILTERS,
    SNAPSHOT_PATH,
    tariffs_import,
    tariffs_refresh,
    utility_directory,
)
from ysh.errors import DomainError

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_REFRESH_FILTERS",
    "SNAPSHOT_PATH",
    "ConsumerTariff",
    "FieldDomainError",
    "TariffNotFound",
    "UnknownUtility",
    "icms_table",
    "pis_cofins_pct",
    "tariff_for_consumer",
    "tariffs_import",
    "tariffs_refresh",
    "utility_directory",
    "utility_get",
    "utility_list",
    "utility_tariffs",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
APPLICATION_BASE = "Tarifa de Aplicação"
NOT_APPLICABLE = "Não se aplica"
SAMPLE_MARKER = "AMOSTRA YSH"
DEFAULT_PIS_COFINS_PCT = Decimal("5.5")
BRAZILIAN_UFS = frozenset(
    {"AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA"}
    | {"PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO"}
)


class FieldDomainError(DomainError):
    """A domain error about one input field: the API answers ``{field: [message], "detail", "code"}``."""

    def __init__(self, field: str, message, *, code: str | None = None):
        super().__init__(message, extra={field: [str(message)]})
        self.field = field
        if code:
            self.code = code


class UnknownUtility(FieldDomainError):
    code = "unknown_utility"

    def __init__(self, utility: str, *, field: str = "utility"):
        super().__init__(field, _("Unknown utility “%(utility)s”.") % {"utility": utility})


class TariffNotFound(FieldDomainError):
    code = "tariff_not_found"

    def __init__(self, message, *, field: str = "utility"):
        super().__init__(field, message)


@dataclass(frozen=True)
class ConsumerTariff:
    utility_code: str
    utility_name: str
    resolution: str
    valid_from: date
    valid_to: date | None
    te_rs_mwh: Decimal
    tusd_rs_mwh: Decimal
    fio_b_rs_mwh: Decimal | None
    base_rs_kwh: Decimal
    icms_pct: Decimal
    pis_cofins_pct: Decimal
    final_rs_kwh: Decimal
    source: str
    is_estimate_note: str
    state: str = ""
    subgroup: str = ""
    modality: str = ""
    klass: str = ""
    posto: str = ""
    is_sample: bool = False
    tariff_id: int | None = None


# --- shipped tables ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def icms_table() -> dict[str, tuple[Decimal, str]]:
    """Residential ICMS rate (%) by UF with a note (``data/icms_residential.csv``, estimates)."""
    with open(DATA_DIR / "icms_residential.csv", encoding="utf-8") as handle:
        return {row["uf"]: (Decimal(row["icms_pct"]), row["note"]) for row in csv.DictReader(handle)}


def pis_cofins_pct() -> Decimal:
    return Decimal(client_setting("TARIFF_PIS_COFINS_PCT", str(DEFAULT_PIS_COFINS_PCT)))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


# --- selectors --------------------------------------------------------------------------------
def utility_get(*, code: str) -> Utility:
    """A utility by SigAgente (case/accent-insensitive), alias, CNPJ or primary key."""
    raw = (code or "").strip()
    if not raw:
        raise UnknownUtility(raw)
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) == 14:
        utility = Utility.objects.filter(cnpj=digits).first()
        if utility:
            return utility
    utility = Utility.objects.filter(sig_agente__iexact=raw).first()
    if utility:
        return utility
    folded = _fold(raw)
    for candidate in Utility.objects.all():
        names = [candidate.sig_agente, *(candidate.aliases or [])]
        if any(_fold(name) == folded for name in names):
            return candidate
    if raw.isdigit() and len(raw) < 10:
        utility = Utility.objects.filter(pk=int(raw)).first()
        if utility:
            return utility
    raise UnknownUtility(raw)


def utility_list(*, state: str | None = None, active: bool | None = True) -> list[Utility]:
    queryset = Utility.objects.all()
    if active is not None:
        queryset = queryset.filter(active=active)
    utilities = list(queryset.order_by("sig_agente"))
    if state:
        uf = state.upper()
        utilities = [u for u in utilities if uf in (u.states or [])]
    return utilities


def utility_tariffs(*, utility: Utility, subgroup: str | None = None, include_superseded: bool = True):
    """The tariff history of a utility, newest validity first."""
    queryset = Tariff.objects.filter(utility=utility)
    if subgroup:
        queryset = queryset.filter(subgroup__iexact=subgroup)
    if not include_superseded:
        queryset = queryset.filter(superseded_at__isnull=True)
    return queryset.order_by("subgroup", "modality", "klass", "detail", "posto", "-valid_from", "-first_seen")


def _pick(rows: list[Tariff], *, klass: str, on_date: date) -> Tariff | None:
    klass_folded = _fold(klass)
    same_class = [t for t in rows if _fold(t.klass) == klass_folded]
    if not same_class:
        same_class = [t for t in rows if t.klass == NOT_APPLICABLE]
    if not same_class:
        return None

    def subclass_rank(tariff: Tariff) -> int:
        folded = _fold(tariff.subclass)
        if folded == klass_folded:
            return 0
        if tariff.subclass == NOT_APPLICABLE:
            return 1
        if "baixa renda" in folded:
            return 3
        return 2

    best_rank = min(subclass_rank(t) for t in same_class)
    candidates = [t for t in same_class if subclass_rank(t) == best_rank]

    def order(tariff: Tariff):
        return (tariff.superseded_at is None, tariff.valid_from, tariff.first_seen, tariff.pk)

    covering = [
        t for t in candidates if t.valid_from <= on_date and (t.valid_to is None or t.valid_to >= on_date)
    ]
    if covering:
        return max(covering, key=order)
    started = [t for t in candidates if t.valid_from <= on_date]
    return max(started, key=order) if started else None


def tariff_for_consumer(
    *,
    utility: Utility | str,
    subgroup: str = "B1",
    klass: str = "Residencial",
    modality: str = "Convencional",
    on_date: date | None = None,
    state: str | None = None,
    detail: str = NOT_APPLICABLE,
    posto: str | None = None,
) -> ConsumerTariff:
    """The energy tariff (R$/MWh as published, and R$/kWh with estimated taxes) a consumer of
    ``utility`` in ``subgroup``/``klass``/``modality`` pays on ``on_date`` (today by default).

    Picks "Tarifa de Aplicação" rows in MWh for ``detail`` ("Não se aplica" = an ordinary captive
    consumer; "SCEE" = the TE/TUSD applied to compensated energy). Group A modalities have several
    posts: ``posto`` defaults to "Fora ponta". Among rows covering the date the latest
    ``valid_from`` wins (overlapping validities exist); if no row covers it, the most recent one that
    started before is used and the note says so."""
    utility_obj = utility if isinstance(utility, Utility) else utility_get(code=str(utility))
    if state:
        uf = state.strip().upper()
        if uf not in BRAZILIAN_UFS:
            raise FieldDomainError(
                "state", _("Unknown state “%(state)s”.") % {"state": state}, code="invalid"
            )
    else:
        uf = (utility_obj.states or [""])[0]
    on_date = on_date or timezone.localdate()
    subgroup_norm = (subgroup or "").strip().upper()
    if posto is None:
        posto = "Fora ponta" if subgroup_norm.startswith("A") else NOT_APPLICABLE

    rows = list(
        Tariff.objects.filter(
            utility=utility_obj,
            base=APPLICATION_BASE,
            subgroup__iexact=subgroup_norm,
            modality__iexact=(modality or "").strip(),
            detail__iexact=detail,
            posto__iexact=posto,
            unit="MWh",
        ).order_by("-valid_from")
    )
    tariff = _pick(rows, klass=klass, on_date=on_date)
    if tariff is None:
        raise TariffNotFound(
            _("No %(subgroup)s %(modality)s tariff for class %(klass)s is known for %(utility)s on %(date)s.")
            % {
                "subgroup": subgroup_norm,
                "modality": modality,
                "klass": klass,
                "utility": utility_obj.sig_agente,
                "date": on_date.isoformat(),
            }
        )

    icms_pct, icms_note = icms_table().get(uf, (Decimal("0"), ""))
    pis_pct = pis_cofins_pct()
    base_rs_kwh = ((tariff.tusd_rs_mwh + tariff.te_rs_mwh) / Decimal(1000)).quantize(
        Decimal("0.000001"), rounding=ROUND_HALF_UP
    )
    divisor = Decimal(1) - (icms_pct + pis_pct) / Decimal(100)
    final_rs_kwh = (base_rs_kwh / divisor).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    is_sample = tariff.resolution.startswith(SAMPLE_MARKER)

    notes = [
        _(
            "Estimate: ICMS %(icms)s%% (%(state)s, shipped table of residential rates — %(icms_note)s) "
            "and PIS/COFINS %(pis)s%% (configurable) applied “por dentro” on TUSD+TE; bandeira "
            "tarifária, public-lighting fee (CIP) and consumption-band ICMS exemptions are not included."
        )
        % {"icms": icms_pct, "state": uf or "?", "icms_note": icms_note or "-", "pis": pis_pct}
    ]
    if is_sample:
        notes.append(_("The tariff row is a SAMPLE with estimated values, not an ANEEL publication."))
    if tariff.valid_to and tariff.valid_to < on_date:
        notes.append(
            _("No published validity covers %(date)s; the latest tariff (valid until %(until)s) is used.")
            % {"date": on_date.isoformat(), "until": tariff.valid_to.isoformat()}
        )
    if not uf:
        notes.append(_("The utility's state is unknown: ICMS could not be applied."))

    return ConsumerTariff(
        utility_code=utility_obj.sig_agente,
        utility_name=utility_obj.name,
        resolution=tariff.resolution,
        valid_from=tariff.valid_from,
        valid_to=tariff.valid_to,
        te_rs_mwh=tariff.te_rs_mwh,
        tusd_rs_mwh=tariff.tusd_rs_mwh,
        fio_b_rs_mwh=tariff.fio_b_rs_mwh,
        base_rs_kwh=base_rs_kwh,
        icms_pct=icms_pct,
        pis_cofins_pct=pis_pct,
        final_rs_kwh=final_rs_kwh,
        source="aneel-cache" if tariff.source in (TariffSource.CKAN, TariffSource.CSV) else "snapshot",
        is_estimate_note=" ".join(str(n) for n in notes),
        state=uf,
        subgroup=tariff.subgroup,
        modality=tariff.modality,
        klass=tariff.klass,
        posto=tariff.posto,
        is_sample=is_sample,
        tariff_id=tariff.pk,
    )

"""Import of ANEEL tariffs with history, and the refresh from ANEEL (CKAN datastore or CSV) or the
shipped snapshot.

History rule: every distinct (utility, base, subgroup, modality, class, subclass, detail, posto,
unit, accessing agent) × (validity, resolution, TUSD, TE) is its own ``Tariff`` row, identified by
``fingerprint``. Importing the same data again creates nothing (``last_seen`` moves); a value that
changed for the same key and validity creates a new row and marks the older one ``superseded_at``;
a new validity is a new row. Nothing is ever overwritten or deleted. Utilities are keyed on the CNPJ
(the same CNPJ can appear under two SigAgente spellings: the others are kept as aliases).
"""

import csv
import hashlib
import logging
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from engineering.aneel import AneelClient, AneelError, TariffRecord, csv_file_records
from engineering.models import RefreshStatus, Tariff, TariffRefreshRun, TariffSource, Utility

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
SNAPSHOT_PATH = DATA_DIR / "aneel_tarifas_snapshot.csv"
#: What the weekly refresh asks the datastore for (list values = any of).
DEFAULT_REFRESH_FILTERS = {"DscBaseTarifaria": "Tarifa de Aplicação", "DscSubGrupo": ["B1", "B2", "B3", "A4"]}


@lru_cache(maxsize=1)
def utility_directory() -> dict[str, dict]:
    """Known distributors (``data/utilities.csv``): SigAgente → {cnpj, name, states}."""
    with open(DATA_DIR / "utilities.csv", encoding="utf-8") as handle:
        return {
            row["sig_agente"]: {
                "cnpj": row["cnpj"],
                "name": row["name"],
                "states": [s for s in row["states"].split("|") if s],
            }
            for row in csv.DictReader(handle)
        }


# --- import -----------------------------------------------------------------------------------
def _q4(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def tariff_key_hash(record: TariffRecord) -> str:
    identity = record.cnpj or f"sig:{record.sig_agente}"
    parts = [
        identity,
        record.base,
        record.subgroup,
        record.modality,
        record.klass,
        record.subclass,
        record.detail,
        record.posto,
        record.unit,
        record.accessor,
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def tariff_fingerprint(record: TariffRecord, key_hash: str | None = None) -> str:
    parts = [
        key_hash or tariff_key_hash(record),
        record.valid_from.isoformat(),
        record.valid_to.isoformat() if record.valid_to else "",
        record.resolution,
        str(_q4(record.tusd)),
        str(_q4(record.te)),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


class _UtilityResolver:
    """Finds or creates the Utility of a record, keyed on the CNPJ (the same CNPJ can appear under
    two SigAgente spellings, kept as aliases)."""

    def __init__(self):
        self.by_cnpj: dict[str, Utility] = {}
        self.by_sig: dict[str, Utility] = {}
        self.created = 0
        for utility in Utility.objects.all():
            self._remember(utility)

    def _remember(self, utility: Utility) -> None:
        if utility.cnpj:
            self.by_cnpj[utility.cnpj] = utility
        self.by_sig[utility.sig_agente] = utility
        for alias in utility.aliases or []:
            self.by_sig.setdefault(alias, utility)

    def resolve(self, record: TariffRecord) -> Utility:
        utility = self.by_cnpj.get(record.cnpj) if record.cnpj else None
        if utility is not None:
            if record.sig_agente != utility.sig_agente and record.sig_agente not in (utility.aliases or []):
                utility.aliases = [*(utility.aliases or []), record.sig_agente]
                utility.save(update_fields=["aliases", "updated_at"])
                self.by_sig.setdefault(record.sig_agente, utility)
            return utility
        utility = self.by_sig.get(record.sig_agente)
        if utility is not None:
            if record.cnpj and not utility.cnpj:
                utility.cnpj = record.cnpj
                utility.save(update_fields=["cnpj", "updated_at"])
                self.by_cnpj[record.cnpj] = utility
            return utility
        known = utility_directory().get(record.sig_agente, {})
        utility = Utility.objects.create(
            sig_agente=record.sig_agente,
            name=known.get("name") or record.sig_agente,
            cnpj=record.cnpj or None,
            states=known.get("states", []),
        )
        self.created += 1
        self._remember(utility)
        return utility


def tariffs_import(*, records: Iterable[TariffRecord], source: str, chunk_size: int = 2000) -> dict[str, int]:
    """Store records with history (see the module docstring). Call inside a transaction to make a
    failure half-way leave nothing behind (``tariffs_refresh`` does)."""
    now = timezone.now()
    resolver = _UtilityResolver()
    counts = {"records": 0, "created": 0, "unchanged": 0, "superseded": 0}
    chunk: list[TariffRecord] = []

    def flush() -> None:
        if not chunk:
            return
        prepared: dict[str, Tariff] = {}
        for record in chunk:
            key_hash = tariff_key_hash(record)
            fingerprint = tariff_fingerprint(record, key_hash)
            if fingerprint in prepared:
                continue
            prepared[fingerprint] = Tariff(
                utility=resolver.resolve(record),
                resolution=record.resolution[:255],
                valid_from=record.valid_from,
                valid_to=record.valid_to,
                base=record.base[:60],
                subgroup=record.subgroup[:10],
                modality=record.modality[:60],
                klass=record.klass[:80],
                subclass=record.subclass[:120],
                detail=record.detail[:120],
                posto=record.posto[:60],
                unit=record.unit[:10],
                accessor=record.accessor[:120],
                tusd_rs_mwh=_q4(record.tusd),
                te_rs_mwh=_q4(record.te),
                source=source,
                dataset_generated_on=record.generated_on,
                key_hash=key_hash,
                fingerprint=fingerprint,
                first_seen=now,
                last_seen=now,
            )
        existing = set(
            Tariff.objects.filter(fingerprint__in=list(prepared)).values_list("fingerprint", flat=True)
        )
        if existing:
            Tariff.objects.filter(fingerprint__in=existing).update(last_seen=now)
        new = [t for fp, t in prepared.items() if fp not in existing]
        counts["unchanged"] += len(chunk) - len(new)
        if new:
            # A new row for a key+validity that already has a current row is a revision.
            slots: dict[tuple, Tariff] = {}
            for tariff in new:
                slot = (tariff.key_hash, tariff.valid_from, tariff.valid_to)
                earlier = slots.get(slot)
                if earlier is not None:
                    earlier.superseded_at = now
                    counts["superseded"] += 1
                slots[slot] = tariff
            stale = [
                pk
                for pk, key_hash, valid_from, valid_to in Tariff.objects.filter(
                    key_hash__in={t.key_hash for t in new}, superseded_at__isnull=True
                ).values_list("pk", "key_hash", "valid_from", "valid_to")
                if (key_hash, valid_from, valid_to) in slots
            ]
            if stale:
                counts["superseded"] += Tariff.objects.filter(pk__in=stale).update(superseded_at=now)
            Tariff.objects.bulk_create(new, batch_size=500)
            counts["created"] += len(new)
        chunk.clear()

    for record in records:
        counts["records"] += 1
        chunk.append(record)
        if len(chunk) >= chunk_size:
            flush()
    flush()
    counts["utilities_created"] = resolver.created
    return counts


def _matches_filters(record: TariffRecord, filters: dict | None) -> bool:
    if not filters:
        return True
    columns = {
        "DscBaseTarifaria": record.base,
        "DscSubGrupo": record.subgroup,
        "DscModalidadeTarifaria": record.modality,
        "SigAgente": record.sig_agente,
        "DscClasse": record.klass,
        "DscDetalhe": record.detail,
    }
    for column, wanted in filters.items():
        if column not in columns:
            continue
        allowed = wanted if isinstance(wanted, list | tuple | set) else [wanted]
        if columns[column] not in allowed:
            return False
    return True


def tariffs_refresh(
    *,
    source: str = "ckan",
    client: AneelClient | None = None,
    filters: dict | None = None,
    path: str | Path | None = None,
    force: bool = True,
) -> dict:
    """Refresh tariffs from ANEEL (``"ckan"`` datastore or ``"csv"`` resource) or from the shipped
    ``"snapshot"``. Records a ``TariffRefreshRun``. If ANEEL fails or sends something unreadable,
    the run is marked failed and the stored tariffs stay exactly as they were (one transaction).
    ``force`` (default) re-downloads instead of reusing ``AneelCache`` answers younger than 30 days;
    ``force=False`` replays cached answers (e.g. to re-import after a failed import)."""
    if source not in ("ckan", "csv", "snapshot"):
        raise ValueError(f"unknown tariff source {source!r}")
    filters = DEFAULT_REFRESH_FILTERS if filters is None else filters
    run = TariffRefreshRun.objects.create(source=source)
    try:
        if source == "snapshot":
            records = csv_file_records(path or SNAPSHOT_PATH)
            stored_source = TariffSource.SNAPSHOT
        elif source == "csv":
            client = client or AneelClient(force_refresh=force)
            records = (r for r in client.csv_records() if _matches_filters(r, filters))
            stored_source = TariffSource.CSV
        else:
            client = client or AneelClient(force_refresh=force)
            records = client.datastore_records(filters=filters or None)
            stored_source = TariffSource.CKAN
        with transaction.atomic():
            counts = tariffs_import(records=records, source=stored_source)
    except AneelError as exc:
        logger.warning("tariff refresh from %s failed: %s", source, exc)
        run.status = RefreshStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        return {"run_id": run.pk, "status": run.status, "error": run.error}
    run.status = RefreshStatus.SUCCEEDED
    run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "counts", "finished_at"])
    return {"run_id": run.pk, "status": run.status, **counts}

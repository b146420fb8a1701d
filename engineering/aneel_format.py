"""The format of ANEEL's tariffs dataset ("Tarifas de aplicação das distribuidoras"): the 17
published columns, typed records, and a streaming parser of the CSV resource (``;``, every field
quoted, UTF-8, CRLF, decimal comma). Also the errors of the ANEEL client (``engineering.aneel``)."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

#: The 17 columns of the published CSV, in order.
CSV_COLUMNS = (
    "DatGeracaoConjuntoDados",
    "DscREH",
    "SigAgente",
    "NumCNPJDistribuidora",
    "DatInicioVigencia",
    "DatFimVigencia",
    "DscBaseTarifaria",
    "DscSubGrupo",
    "DscModalidadeTarifaria",
    "DscClasse",
    "DscSubClasse",
    "DscDetalhe",
    "NomPostoTarifario",
    "DscUnidadeTerciaria",
    "SigAgenteAcessante",
    "VlrTUSD",
    "VlrTE",
)


class AneelError(Exception):
    """Base of every error of this client; carries the URL, HTTP status and attempts."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None, attempts: int = 0):
        super().__init__(message)
        self.url = url
        self.status = status
        self.attempts = attempts


class AneelUnavailable(AneelError):
    """ANEEL could not be reached or kept failing (network, 5xx, 429) after the retries."""


class AneelRequestError(AneelError):
    """ANEEL refused the request (other 4xx, or ``"success": false``): retrying will not help."""


class AneelFormatError(AneelError):
    """The response or file is not in the format of the tariffs dataset."""


@dataclass(frozen=True)
class TariffRecord:
    """One row of the dataset, typed. Text fields are stripped; values are Decimal as published
    (R$/MWh for ``unit == "MWh"``, R$/kW for ``"kW"``)."""

    generated_on: date | None
    resolution: str
    sig_agente: str
    cnpj: str
    valid_from: date
    valid_to: date | None
    base: str
    subgroup: str
    modality: str
    klass: str
    subclass: str
    detail: str
    posto: str
    unit: str
    accessor: str
    tusd: Decimal
    te: Decimal


def parse_decimal(text: str | None) -> Decimal:
    """ANEEL numbers: ``"432,44"``, ``",00"``, ``"1.361,78"`` (thousands point), ``"-3,5"``;
    also tolerates a plain ``"432.44"``. Empty means zero."""
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not raw:
        return Decimal("0")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif raw.count(".") > 1:
        raw = raw.replace(".", "")
    if raw.startswith("."):
        raw = "0" + raw
    elif raw.startswith("-."):
        raw = "-0" + raw[1:]
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise AneelFormatError(f"not a number: {text!r}") from exc


def _parse_date(text: str | None, *, field: str, required: bool) -> date | None:
    raw = (text or "").strip()
    if not raw:
        if required:
            raise AneelFormatError(f"{field} is empty")
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise AneelFormatError(f"{field}: not an ISO date: {text!r}") from exc


def record_from_row(row: dict) -> TariffRecord:
    """A ``TariffRecord`` from a CSV row or a datastore record (same column names)."""
    missing = [c for c in CSV_COLUMNS if c not in row]
    if missing:
        raise AneelFormatError(f"missing columns: {', '.join(missing)}")

    def text(name: str) -> str:
        return (row.get(name) or "").strip()

    cnpj = "".join(ch for ch in text("NumCNPJDistribuidora") if ch.isdigit())
    sig = text("SigAgente")
    if not sig:
        raise AneelFormatError("SigAgente is empty")
    return TariffRecord(
        generated_on=_parse_date(row.get("DatGeracaoConjuntoDados"), field="DatGeracao", required=False),
        resolution=text("DscREH"),
        sig_agente=sig,
        cnpj=cnpj.zfill(14) if cnpj else "",
        valid_from=_parse_date(row.get("DatInicioVigencia"), field="DatInicioVigencia", required=True),
        valid_to=_parse_date(row.get("DatFimVigencia"), field="DatFimVigencia", required=False),
        base=text("DscBaseTarifaria"),
        subgroup=text("DscSubGrupo"),
        modality=text("DscModalidadeTarifaria"),
        klass=text("DscClasse"),
        subclass=text("DscSubClasse"),
        detail=text("DscDetalhe"),
        posto=text("NomPostoTarifario"),
        unit=text("DscUnidadeTerciaria"),
        accessor=text("SigAgenteAcessante"),
        tusd=parse_decimal(row.get("VlrTUSD")),
        te=parse_decimal(row.get("VlrTE")),
    )


def csv_records(lines: Iterable[str]) -> Iterator[TariffRecord]:
    """Parse the published CSV from an iterable of text lines (an open file, streamed), checking the
    header. Lines may keep their CRLF; a UTF-8 BOM on the header is ignored."""
    reader = csv.reader(lines, delimiter=";", quotechar='"')
    try:
        header = next(reader)
    except StopIteration as exc:
        raise AneelFormatError("empty CSV") from exc
    header = [h.strip().lstrip("\ufeff") for h in header]
    if tuple(header) != CSV_COLUMNS:
        raise AneelFormatError(f"unexpected CSV header: {';'.join(header)[:300]}")
    for line_no, values in enumerate(reader, start=2):
        if not values or values == [""]:
            continue
        if len(values) != len(CSV_COLUMNS):
            raise AneelFormatError(f"line {line_no}: {len(values)} fields, expected {len(CSV_COLUMNS)}")
        try:
            yield record_from_row(dict(zip(CSV_COLUMNS, values, strict=True)))
        except AneelFormatError as exc:
            raise AneelFormatError(f"line {line_no}: {exc}") from exc


def csv_file_records(path: Path | str) -> Iterator[TariffRecord]:
    """Stream the records of a CSV file in the published format."""
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv_records(handle)


def records_from_text(text: str) -> list[TariffRecord]:
    """Parse a whole CSV document held in memory (small files: fixtures, uploads)."""
    return list(csv_records(io.StringIO(text, newline="")))

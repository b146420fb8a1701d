"""Price-list spreadsheet (Odex): the CSV Excel writes in Brazil (``;``, decimal comma,
Windows-1252, a title block above the header) or the same list as XLSX.

Each row becomes a record whose raw text is the header line plus the row line, as CSV text
(for XLSX, the cells written out the same way), so ``parse`` reads it without the file. A row
with the wrong number of columns, undecodable bytes or spreadsheet error values (#REF!, #N/D)
is a listing that fails to parse.

Options: ``format`` (csv|xlsx, default from the URL), ``encoding`` (cp1252), ``delimiter`` (;),
``sheet`` (XLSX sheet name; the first one by default).
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from catalog.distributor_http import DistributorClient, FeedFormatError
from catalog.models.taxonomy import FeedFormat
from catalog.pipeline.adapters.base import FeedAdapter, ListingParseError
from catalog.pipeline.adapters.numbers import brl_price, whole_number
from catalog.pipeline.types import ListingData, SourceRecord, WarehouseStock

EXCEL_ERRORS = {"#REF!", "#N/D", "#N/A", "#VALOR!", "#VALUE!", "#NOME?", "#NAME?", "#DIV/0!", "#NUM!"}
COLUMNS = {  # normalized header → ListingData field
    "CODIGO": "code",
    "COD": "code",
    "SKU": "code",
    "DESCRICAO": "title",
    "PRODUTO": "title",
    "FABRICANTE": "brand",
    "MARCA": "brand",
    "REF FABRICANTE": "model",
    "MODELO": "model",
    "CATEGORIA": "category",
    "PRECO UNIT R$": "price",
    "PRECO R$": "price",
    "PRECO": "price",
    "PRAZO DIAS": "lead_time",
    "PRAZO": "lead_time",
    "INMETRO": "inmetro",
    "GARANTIA": "warranty",
    "COMPOSICAO": "components",
}
_STOCK = re.compile(r"^ESTOQUE ([A-Z]{2})$")


def header_key(text: str) -> str:
    """ "PREÇO UNIT. (R$)" → "PRECO UNIT R$"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    return " ".join(re.sub(r"[^A-Z0-9$/ ]", " ", text).split())


def _logical_lines(text: str) -> Iterator[str]:
    """Physical lines joined while a quoted field is open (a cell with a line break)."""
    buffer: list[str] = []
    for line in text.splitlines():
        buffer.append(line)
        if sum(part.count('"') for part in buffer) % 2 == 0:
            yield "\n".join(buffer)
            buffer = []
    if buffer:
        yield "\n".join(buffer)


def _cell_text(value: object) -> str:
    """An XLSX cell as the CSV export would write it (decimal comma, no thousands separator)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SIM" if value else "NÃO"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        return format(number.normalize() if number == number.to_integral() else number, "f").replace(".", ",")
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


class PriceListAdapter(FeedAdapter):
    feed_format = FeedFormat.CSV

    def _option(self, distributor, name: str, default: str) -> str:
        return str(
            {**(getattr(distributor, "feed_options", None) or {}), **self.options}.get(name) or default
        )

    def records(self, distributor, client: DistributorClient) -> Iterator[SourceRecord]:
        delimiter = self._option(distributor, "delimiter", ";")
        self.options.setdefault("delimiter", delimiter)
        guess = "xlsx" if distributor.feed_url.lower().split("?")[0].endswith(".xlsx") else "csv"
        kind = self._option(distributor, "format", guess).lower()
        response = self.get(client, distributor.feed_url)
        if kind == "xlsx":
            lines = list(
                self._xlsx_lines(response.content, delimiter, self._option(distributor, "sheet", ""))
            )
        else:
            encoding = self.options.get("encoding") or (distributor.feed_options or {}).get("encoding")
            text = (
                response.content.decode(encoding, errors="replace") if encoding else response.text("cp1252")
            )
            lines = list(_logical_lines(text))
        header_at = next((n for n, line in enumerate(lines) if self._is_header(line, delimiter)), None)
        if header_at is None:
            raise FeedFormatError("no header row (CÓDIGO/DESCRIÇÃO) in the price list", url=response.url)
        header = lines[header_at]
        code_column = [COLUMNS.get(header_key(c)) for c in self._cells(header, delimiter)].index("code")
        for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
            if not line.replace(delimiter, "").strip():
                continue
            cells = self._cells(line, delimiter)
            code = cells[code_column].strip() if len(cells) > code_column else ""
            yield SourceRecord(
                external_id=code or f"linha-{number}",
                raw=f"{header}\n{line}",
                source_url=f"{response.url}#linha-{number}",
            )

    @staticmethod
    def _cells(line: str, delimiter: str) -> list[str]:
        return next(csv.reader([line], delimiter=delimiter), [])

    def _is_header(self, line: str, delimiter: str) -> bool:
        fields = {COLUMNS.get(header_key(cell)) for cell in self._cells(line, delimiter)}
        return {"code", "title"} <= fields

    @staticmethod
    def _xlsx_lines(content: bytes, delimiter: str, sheet_name: str) -> Iterator[str]:
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError for broken files
            raise FeedFormatError(f"not a readable XLSX file: {exc}") from exc
        try:
            sheet = book[sheet_name] if sheet_name else book.worksheets[0]
            width = None
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(value) for value in row]
                if width is None and {"code", "title"} <= {COLUMNS.get(header_key(c)) for c in cells}:
                    width = max(n for n, cell in enumerate(cells) if cell) + 1
                if width is not None:
                    # Excel's CSV export writes every row as wide as the table; extra filled cells stay.
                    while len(cells) > width and not cells[-1]:
                        cells.pop()
                    cells += [""] * (width - len(cells))
                buffer = io.StringIO()
                csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(cells)
                yield buffer.getvalue()
        finally:
            book.close()

    def parse(self, record: SourceRecord) -> ListingData:
        delimiter = self.options.get("delimiter", ";")
        header_line, _, row_line = record.raw.partition("\n")
        header = self._cells(header_line, delimiter)
        cells = self._cells(row_line, delimiter)
        if len(cells) != len(header):
            raise ListingParseError(f"garbled row: {len(cells)} columns where the header has {len(header)}")
        if any("\ufffd" in cell for cell in cells):
            raise ListingParseError("garbled row: bytes that are not valid in the file's encoding")
        errors = sorted({cell.strip() for cell in cells} & EXCEL_ERRORS)
        if errors:
            raise ListingParseError(f"garbled row: spreadsheet error value {', '.join(errors)}")
        row: dict[str, str] = {}
        stock: list[tuple[str, str]] = []
        attributes: dict[str, str] = {}
        for name, cell in zip(header, cells, strict=True):
            key = header_key(name)
            field = COLUMNS.get(key)
            if field:
                row.setdefault(field, cell.strip())
            elif match := _STOCK.match(key):
                stock.append((match.group(1), cell))
            elif name.strip() and cell.strip():
                attributes[name.strip()] = cell.strip()
        title = row.get("title", "")
        if not title:
            raise ListingParseError("missing title", field="title")
        lead_time = whole_number(row.get("lead_time"), field="lead_time")
        return ListingData(
            external_id=record.external_id,
            title=title,
            price=brl_price(row.get("price"), field="price"),
            brand=row.get("brand", ""),
            model=row.get("model", ""),
            category=row.get("category", ""),
            attributes=attributes,
            url=record.source_url,
            inmetro=row.get("inmetro", ""),
            warranty=row.get("warranty", ""),
            warehouses=[
                WarehouseStock(
                    code=uf, state=uf, stock=whole_number(qty, field=f"stock {uf}"), lead_time_days=lead_time
                )
                for uf, qty in stock
            ],
            components=_components(row.get("components", "")),
        )


def _components(text: str) -> list[tuple[str, int]]:
    """ "10X MOD FV JA 550WP … + 1X INVERSOR …" → [("MOD FV JA 550WP …", 10), …]."""
    components = []
    for part in filter(None, (p.strip() for p in re.split(r"\s\+\s", text))):
        match = re.match(r"^(\d+)\s*[xX]\s+(.+)$", part)
        if not match:
            raise ListingParseError(f"kit composition item without quantity: {part!r}", field="components")
        components.append((match.group(2).strip(), int(match.group(1))))
    return components

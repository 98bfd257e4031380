"""Reading and writing CSV and Excel (.xlsx) tables, the way agencies keep their lists."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook

from ecosystem.core.errors import UserError

MAX_ROWS = 50_000


MAX_COLUMNS = 200


def read_table(filename: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """(header, rows) from a .csv or .xlsx file; cells as stripped strings.

    Rows are read one by one and reading stops at the row limit, so an oversized file is
    refused without being held whole in memory; a damaged file is a message, not a 500.
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "csv":
        source = _read_csv(data)
    elif extension == "xlsx":
        source = _read_xlsx(data)
    else:
        raise UserError(_("Chỉ nhận tệp .csv hoặc .xlsx."), field="file")
    rows: list[list[str]] = []
    for row in source:
        if not any(cell for cell in row):
            continue
        if len(rows) > MAX_ROWS:  # the header plus MAX_ROWS rows are already in
            raise UserError(
                _("Tệp có quá nhiều dòng (tối đa %(n)s).", n=f"{MAX_ROWS:,}".replace(",", ".")),
                field="file",
            )
        rows.append(row)
    if not rows:
        raise UserError(_("Tệp không có dữ liệu."), field="file")
    return rows[0], rows[1:]


def _read_csv(data: bytes) -> Iterator[list[str]]:
    try:
        # An encoded lone surrogate (some exporters write them) is let through here so that
        # the import rejects only the row holding it, not the whole file as "not UTF-8".
        text = data.decode("utf-8-sig", errors="surrogatepass")
    except UnicodeDecodeError:
        raise UserError(_("Tệp CSV phải được lưu với bảng mã UTF-8."), field="file") from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # e.g. a cell beyond the csv module's 128 KiB field limit, a stray NUL byte
            raise UserError(
                _(
                    "Dòng %(row)d của tệp CSV không đọc được (ô quá dài hoặc sai định dạng).",
                    row=reader.line_num,
                ),
                field="file",
            ) from None
        yield [cell.strip() for cell in row[:MAX_COLUMNS]]


def _unreadable_xlsx() -> UserError:
    return UserError(_("Không đọc được tệp Excel. Hãy lưu lại dưới dạng .xlsx."), field="file")


def _read_xlsx(data: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # not a workbook, or a damaged one (zip, XML, parts missing)
        raise _unreadable_xlsx() from None
    try:
        rows = _sheet_rows(workbook)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # a damaged sheet fails in many ways (zip, XML, values)
                raise _unreadable_xlsx() from None
            yield [_cell(v) for v in row]
    finally:
        workbook.close()


def _sheet_rows(workbook: Any) -> Iterator[tuple[Any, ...]]:
    # A generator: the sheet is opened (and may fail) inside the reader's guarded next().
    if not workbook.worksheets:
        raise ValueError("no sheet")
    yield from workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(_safe(row) for row in rows)
    # The BOM lets Excel open Vietnamese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: list[str], rows: Iterable[list[Any]], title: str = "Data") -> bytes:
    return workbook_bytes([(title, header, rows)])


def workbook_bytes(sheets: Iterable[tuple[str, list[str], Iterable[list[Any]]]]) -> bytes:
    """A workbook of several sheets, each (title, header, rows)."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(_safe(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body: bytes, fmt: str, filename: str) -> Response:
    """A spreadsheet as a file download (CSV with its charset, or .xlsx)."""
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"}
    )


def table_download(header: list[str], rows: Iterable[list[Any]], fmt: str, name: str) -> Response:
    body = csv_bytes(header, rows) if fmt == "csv" else xlsx_bytes(header, rows, title=name)
    return download(body, fmt, f"{name}.{fmt}")


def _safe(row: list[Any]) -> Iterator[Any]:
    """Neutralise spreadsheet formulas in user text (CSV injection)."""
    for value in row:
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
            yield "'" + value
        else:
            yield value


def _is_number(text: str) -> bool:
    try:
        float(text.replace(".", "").replace(",", "."))
    except ValueError:
        return False
    return True

"""Writes histkg's CSV tables into spreadsheet workbooks the way a historian's spreadsheet
program keeps them, with libraries nobody on this team wrote: openpyxl for .xlsx (Excel's
format) and odfpy for .ods (LibreOffice's). Cells that look like numbers are stored as
numbers and, in .ods, ISO dates as date cells, as both programs do when such a value is
typed (Excel keeps dates before 1900 as text, so .xlsx keeps them as text).

    workbooks.py DATA_DIR OUT.xlsx|OUT.ods [TABLE ...]

writes every table of DATA_DIR (or those named) as one sheet each, named after the table.
Used to make tests/fixtures/workbooks/ and, in .ci/run, to check that the shipped data read
from a workbook builds the same graph as from its CSV files.
"""

import csv
import re
import sys
from pathlib import Path

NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def typed(value):
    """The value a spreadsheet program makes of `value` typed into a cell."""
    if NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    return value


def tables(data_dir, names):
    for path in sorted(Path(data_dir).glob("*.csv")):
        if names and path.stem not in names:
            continue
        with open(path, newline="", encoding="utf-8") as f:
            yield path.stem, list(csv.reader(f))


def write_xlsx(data_dir, out, names):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tables(data_dir, names):
        sheet = book.create_sheet(name)
        for i, row in enumerate(rows):
            # The header stays text, whatever it looks like.
            sheet.append([v if i == 0 else (typed(v) if v != "" else None) for v in row])
    book.save(out)


def write_ods(data_dir, out, names):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, rows in tables(data_dir, names):
        table = Table(name=name)
        for i, row in enumerate(rows):
            tr = TableRow()
            for v in row:
                value = typed(v) if i > 0 else v
                if v == "":
                    cell = TableCell()
                elif i > 0 and ISO_DATE.fullmatch(v):
                    cell = TableCell(valuetype="date", datevalue=v)
                elif isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value)
                else:
                    cell = TableCell(valuetype="string")
                if v != "":
                    # A line break inside a cell is a paragraph break in ODF.
                    for line in v.split("\n"):
                        cell.addElement(P(text=line))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(out)


def main():
    data_dir, out, *names = sys.argv[1:]
    if out.endswith(".xlsx"):
        write_xlsx(data_dir, out, names)
    elif out.endswith(".ods"):
        write_ods(data_dir, out, names)
    else:
        sys.exit(f"{out}: expected a name ending in .xlsx or .ods")


if __name__ == "__main__":
    main()

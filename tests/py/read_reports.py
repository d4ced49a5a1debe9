"""Reads govlens's report.docx and report.xlsx with python-docx and openpyxl
(what a reader's tools see) and prints what the tests check, as JSON.

usage: read_reports.py REPORT.docx REPORT.xlsx
"""
import json
import posixpath
import sys
import zipfile
import xml.etree.ElementTree as ET

import docx
import openpyxl
from docx.oxml.ns import qn


def read_docx(path):
    d = docx.Document(path)
    headings = [
        {"style": p.style.name, "text": p.text}
        for p in d.paragraphs
        if p.style.name.lower().startswith("heading") or p.style.name == "Title"
    ]
    tables = []
    for t in d.tables:
        first = t.rows[0]
        tr_pr = first._tr.trPr
        repeats = tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
        tables.append(
            {
                "header": [c.text for c in first.cells],
                "repeats": repeats,
                "rows": len(t.rows),
                "cells": [[c.text for c in r.cells] for r in t.rows],
            }
        )
    section = d.sections[0]
    fonts = set()
    for p in d.paragraphs:
        for r in p.runs:
            rpr = r._r.rPr
            f = rpr.find(qn("w:rFonts")) if rpr is not None else None
            fonts.add(f.get(qn("w:eastAsia")) if f is not None else None)
    footer_xml = section.footer._element.xml
    return {
        "headings": headings,
        "tables": tables,
        "page_mm": [round(section.page_width.mm), round(section.page_height.mm)],
        "east_asia_fonts": sorted(str(f) for f in fonts),
        "page_number_field": "PAGE" in footer_xml,
        "pictures": len(d.inline_shapes),
        "captions": [p.text for p in d.paragraphs if p.style.name.lower() == "caption"],
        "text": "\n".join(p.text for p in d.paragraphs),
        "core": {
            "author": d.core_properties.author,
            "created": d.core_properties.created.date().isoformat()
            if d.core_properties.created
            else None,
        },
        "embedded_fonts": sum(
            1 for n in zipfile.ZipFile(path).namelist() if n.startswith("word/fonts/")
        ),
    }


REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
XDR_PIC = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}pic"


def pictures_by_sheet(path):
    """Pictures anchored on each sheet, counted in the package itself
    (workbook -> sheet -> drawing -> xdr:pic). openpyxl keeps a sheet's
    images only when Pillow is installed and silently drops them otherwise,
    so its count would say more about this machine than about the file."""

    def rels(z, part):
        name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
        if name not in z.namelist():
            return {}
        base = posixpath.dirname(part)
        return {
            r.get("Id"): posixpath.normpath(posixpath.join(base, r.get("Target")))
            for r in ET.fromstring(z.read(name)).iter(REL)
        }

    counts = {}
    with zipfile.ZipFile(path) as z:
        book_rels = rels(z, "xl/workbook.xml")
        for sheet in ET.fromstring(z.read("xl/workbook.xml")).iter(MAIN + "sheet"):
            part = book_rels[sheet.get(R_ID)]
            drawings = [t for t in rels(z, part).values() if "/drawings/" in t]
            counts[sheet.get("name")] = sum(
                len(list(ET.fromstring(z.read(d)).iter(XDR_PIC))) for d in drawings
            )
    return counts


def read_xlsx(path):
    wb = openpyxl.load_workbook(path)
    pictures = pictures_by_sheet(path)
    sheets = {}
    formulas = 0
    for ws in wb.worksheets:
        formats = {}
        strings = []
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    formulas += 1
                if isinstance(c.value, str):
                    strings.append(c.value)
                elif isinstance(c.value, (int, float)) and c.row >= 3:
                    formats.setdefault(ws.cell(row=2, column=c.column).value or "", set()).add(
                        c.number_format
                    )
        sheets[ws.title] = {
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "header": [c.value for c in ws[2]] if ws.max_row >= 2 else [],
            "formats": {k: sorted(v) for k, v in formats.items()},
            "strings": strings,
            "conditional": len(ws.conditional_formatting),
            "images": pictures[ws.title],
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
            "rows": [[c.value for c in row] for row in ws.iter_rows()],
        }
    return {"sheets": sheets, "order": wb.sheetnames, "formulas": formulas}


print(json.dumps({"docx": read_docx(sys.argv[1]), "xlsx": read_xlsx(sys.argv[2])}, ensure_ascii=False))

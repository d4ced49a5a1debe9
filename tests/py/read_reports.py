"""Reads govlens's report.docx and report.xlsx with python-docx and openpyxl
(what a reader's tools see) and prints what the tests check, as JSON.

usage: read_reports.py REPORT.docx REPORT.xlsx
"""
import json
import sys

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
    }


def read_xlsx(path):
    wb = openpyxl.load_workbook(path)
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
            "images": len(ws._images),
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
        }
    return {"sheets": sheets, "order": wb.sheetnames, "formulas": formulas}


print(json.dumps({"docx": read_docx(sys.argv[1]), "xlsx": read_xlsx(sys.argv[2])}, ensure_ascii=False))

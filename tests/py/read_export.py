"""What Stata's and SPSS's readers see of a govlens export folder.

Reads every <table>.dta with pyreadstat and pandas.read_stata, every
<table>.sav with pyreadstat, and the .csv and .parquet copies; prints JSON:
per table the column names, variable labels, value labels, file label, rows,
missing values per column, the first row, and whether the four copies hold
the same values (codes compared as numbers, text as text, missing as missing).

    python3 tests/py/read_export.py <export-folder>
"""
import json
import math
import pathlib
import sys

import pandas as pd
import pyreadstat


def same(a, b):
    """Two columns hold the same values (numbers to 1e-12 relative)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        xm = x is None or (isinstance(x, float) and math.isnan(x)) or x == ""
        ym = y is None or (isinstance(y, float) and math.isnan(y)) or y == ""
        if xm or ym:
            if xm != ym:
                return False
            continue
        if isinstance(x, str) or isinstance(y, str):
            if str(x) != str(y):
                return False
            continue
        if not math.isclose(float(x), float(y), rel_tol=1e-12, abs_tol=1e-300):
            return False
    return True


def main(folder):
    folder = pathlib.Path(folder)
    out = {}
    for dta in sorted(folder.glob("*.dta")):
        t = dta.stem
        d, dm = pyreadstat.read_dta(str(dta))
        s, sm = pyreadstat.read_sav(str(folder / f"{t}.sav"))
        p = pd.read_parquet(folder / f"{t}.parquet")
        c = pd.read_csv(folder / f"{t}.csv", dtype=str, keep_default_na=False)
        st = pd.read_stata(str(dta), convert_categoricals=False)
        agree = {}
        for col in dm.column_names:
            text = dm.readstat_variable_types[col] == "string"
            csv_col = [v if text else (float(v) if v != "" else None) for v in c[col]]
            agree[col] = (
                same(list(d[col]), list(s[col]))
                and same(list(d[col]), list(p[col]))
                and same(list(d[col]), csv_col)
                and same(list(d[col]), list(st[col]))
            )
        out[t] = {
            "columns": dm.column_names,
            "labels": dict(zip(dm.column_names, dm.column_labels)),
            "sav_labels": dict(zip(sm.column_names, sm.column_labels)),
            "value_labels": {k: {str(int(c)): l for c, l in v.items()} for k, v in dm.variable_value_labels.items()},
            "sav_value_labels": {k: {str(int(c)): l for c, l in v.items()} for k, v in sm.variable_value_labels.items()},
            "file_label": dm.file_label,
            "sav_file_label": sm.file_label,
            "rows": len(d),
            "sav_rows": len(s),
            "missing": {col: int(d[col].isna().sum() + (d[col].astype(str) == "").sum()) if dm.readstat_variable_types[col] == "string" else int(d[col].isna().sum()) for col in dm.column_names},
            "first": {col: (None if (not isinstance(v, str) and pd.isna(v)) else (v if isinstance(v, str) else float(v))) for col, v in d.iloc[0].items()} if len(d) else {},
            "agree": agree,
        }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])

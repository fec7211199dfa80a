"""Benchmark of the child counts, EDFacts files and dashboards (issue 7, "Speed").

Targets on PostgreSQL with 100,000 children, 250,000 COEs over five performance periods and 2,000,000
services: the child count of one period at most 5 s; all the EDFacts files of a period at most 30 s; a
dashboard page at most 1 s (timed here as its five charts' data, statewide and for one district, read after
`mepsis report refresh-counts`, whose time is reported too, as is what a write adds to keep the counts).

    python bench/count_bench.py [--reuse]

Makes a fresh database (`mepsis_count_bench`; --reuse keeps one already filled), migrates it, fills it with
bench/make_count_data.py, then times each `mepsis report` command in its own process (wall time, with
Python's and Django's start, and peak memory, from /usr/bin/time) and each dashboard data function inside one
process (the call alone, statewide and for one district). Results go to bench/out/count_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import psycopg
from make_count_data import generate
from measure import OUT, POSTGRES, fresh_database, measure

NAME = "mepsis_count_bench"
PERIOD = "2024-25"
PERIODS = ("2020-21", "2021-22", "2022-23", "2023-24", "2024-25")  # the five the dashboards show on DAY
FILES = ("FS121", "FS054", "FS145", "FS165")  # every file of a period since 2022-23 (FS122 retired)

DASHBOARD_CALLS = """
import datetime as dt, json, time
import django
django.setup()
from mepsis.reports import dashboards
day = dt.date(2025, 4, 15)
periods = dashboards.periods_shown(day)
calls = {
    "counts_over_time by district": lambda **s: dashboards.counts_over_time(periods, **s),
    "counts_over_time by region": lambda **s: dashboards.counts_over_time(periods, level="region", **s),
    "eligibility_ending": lambda **s: dashboards.eligibility_ending(day, **s),
    "pfs_without_service": lambda **s: dashboards.pfs_without_service(day, **s),
    "services_by_type_and_session": lambda **s: dashboards.services_by_type_and_session("2024-25", **s),
}
results = []
for scope, options in (("statewide", {}), ("district D0001", {"districts": ["D0001"], "suppress": True})):
    page = time.perf_counter()
    for name, call in calls.items():
        started = time.perf_counter()
        call(**options)
        results.append({"call": name, "scope": scope, "seconds": round(time.perf_counter() - started, 3)})
    results.append({"call": "the page's five charts", "scope": scope, "seconds": round(time.perf_counter() - page, 3)})
# What a write adds to keep the counts: a COE changed (its child), and a batch of 1,000 children.
from mepsis.registry.models import CoeChild
children = list(CoeChild.objects.order_by("pk").values_list("child_id", flat=True)[:1000])
for name, ids in (("refresh_counts after one COE change", children[:1]), ("refresh_counts of 1,000 children", children)):
    started = time.perf_counter()
    dashboards.refresh_counts(ids)
    results.append({"call": name, "scope": "statewide", "seconds": round(time.perf_counter() - started, 3)})
print(json.dumps(results))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    options = parser.parse_args()
    url = f"{POSTGRES}/{NAME}"
    env = {**os.environ, "MEPSIS_DATABASE_URL": url, "MEPSIS_DATA_DIR": str(OUT), "MEPSIS_SECRET_KEY": "bench",
           "DJANGO_SETTINGS_MODULE": "mepsis.settings"}
    if not (options.reuse and _filled(url)):
        fresh_database("postgresql", NAME)
        subprocess.run([sys.executable, "-m", "mepsis", "init"], env=env, check=True, capture_output=True)
        generate(url)
    results = {"steps": [], "dashboards": []}
    count = measure(results, "postgresql", f"report child-count {PERIOD}",
                    ["report", "child-count", "--period", PERIOD], env)
    files = [measure(results, "postgresql", f"report edfacts {name} {PERIOD}",
                     ["report", "edfacts", name, "--period", PERIOD, "--out", OUT / f"WISEA{name}.csv"], env)
             for name in FILES]
    total = round(sum(step["seconds"] for step in files), 1)
    print(f"{'postgresql':<11} {'all EDFacts files of ' + PERIOD:<34} {total:>7.1f} s")
    # The dashboards read the counts over time the writes keep; counting every child of the five periods again
    # is what an import that touches more than dashboards.REFRESH_ALL_ABOVE children does.
    measure(results, "postgresql", "report refresh-counts (5 periods)",
            ["report", "refresh-counts", *[arg for name in PERIODS for arg in ("--period", name)]], env)
    ran = subprocess.run([sys.executable, "-c", DASHBOARD_CALLS], env=env, capture_output=True, text=True, check=True)
    for row in json.loads(ran.stdout):
        results["dashboards"].append(row)
        print(f"{'postgresql':<11} dashboard {row['call'] + ' (' + row['scope'] + ')':<52} {row['seconds']:>6.2f} s")
    pages = [row for row in results["dashboards"] if row["call"] == "the page's five charts"]
    results["summary"] = {"child_count_s": count["seconds"], "edfacts_all_s": total,
                          "dashboard_page_slowest_s": max(row["seconds"] for row in pages),
                          "load_average": os.getloadavg()}
    (OUT / "count_bench.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results["summary"]))


def _filled(url: str) -> bool:
    try:
        with psycopg.connect(url) as connection:
            return connection.execute("SELECT COUNT(*) FROM delivery_service").fetchone()[0] > 0
    except psycopg.Error:
        return False


if __name__ == "__main__":
    main()

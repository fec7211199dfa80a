"""Benchmark of `mepsis services import` and `mepsis pfs determine` (issue 7, items 1 and 2).

With the registry of bench/make_feed_data.py (400 districts; COEs of 100,000 certified children, two seasons,
of every status, 2% with a defect), a services file of 2,000,000 rows: services of the children of every
COE, 30% in summer projects, instructional ones with hours, dated inside the child's eligibility, except 1%
that begin the day after it ends (refused: there is no continuation of services). The steps, on a fresh
database of each kind: the registry (init, orgs load, coe import), the services import, the same file
again (it must change nothing), and PFS determined for every certified child.

    python bench/make_feed_data.py        # once: the orgs and COEs, into bench/out/
    python bench/services_bench.py [--backends postgresql,sqlite] [--rows 2000000]

The services file is written once (bench/out/services-2m.csv, reused by the counts benchmarks); results go
to bench/out/services_results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time

import random

import polars as pl
from measure import OUT, fresh_database, measure

from mepsis.rules.eligibility import ONE_DAY, thirty_six_months_end
from mepsis.rules.services import INSTRUCTIONAL, SERVICES

LAST_DAY = dt.date(2026, 8, 31)  # the end of the 2025-26 performance period
SUMMER_SHARE, REFUSED_SHARE = 0.3, 0.01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    orgs, coes = OUT / "orgs.csv", OUT / "feed-coes.jsonl"
    if not coes.exists():
        raise SystemExit(f"missing {coes}: run bench/make_feed_data.py first")
    services = OUT / f"services-{options.rows // 1_000_000}m.csv" if options.rows % 1_000_000 == 0 \
        else OUT / f"services-{options.rows}.csv"
    if not services.exists():
        started = time.perf_counter()
        written = make_services(coes, services, options.rows, options.seed)
        print(f"services file: {written:,} rows in {time.perf_counter() - started:.1f} s, "
              f"{services.stat().st_size / 1e6:.0f} MB", flush=True)
    results = {"rows": options.rows, "steps": []}
    for backend in options.backends.split(","):
        env = {**os.environ, "MEPSIS_DATABASE_URL": fresh_database(backend, "mepsis_services_bench"),
               "MEPSIS_DATA_DIR": str(OUT)}
        measure(results, backend, "init", ["init"], env)
        measure(results, backend, "orgs load", ["orgs", "load", orgs], env)
        measure(results, backend, "coe import (the registry)", ["coe", "import", coes], env, ok=(0, 1))
        measure(results, backend, f"services import {options.rows:,} rows", ["services", "import", services], env,
                ok=(0, 1))
        measure(results, backend, "services import, same file", ["services", "import", services], env, ok=(0, 1))
        measure(results, backend, "pfs determine (every child)", ["pfs", "determine", "--on", "2026-03-01"], env)
    (OUT / "services_results.json").write_text(json.dumps(results, indent=2))


def make_services(coes_file, out, rows: int, seed: int) -> int:
    """Write ``rows`` services of the children of the COEs in ``coes_file`` (see the module's docstring); the
    rare row that repeats another's child, project, service and begin date is left out."""
    children = []
    with coes_file.open(encoding="utf-8") as lines:
        for line in lines:
            document = json.loads(line)
            try:
                qad = dt.date.fromisoformat(document["qualifying_move"]["qad"])
            except (KeyError, TypeError, ValueError):
                continue  # a COE with a defect in its QAD: the import refuses it
            last = thirty_six_months_end(qad)
            district = document["qualifying_move"]["to"].get("district_id") or "0000"
            children += [(document["coe_id"], index, district, qad, last) for index in range(len(document["children"]))]
    rng = random.Random(seed)
    columns: dict[str, list] = {name: [] for name in ("coe_id", "child_index", "service", "project_id",
                                                        "session_type", "begin_date", "end_date", "hours")}
    for _ in range(rows + rows // 50):  # a few more, for the repeats left out
        coe_id, index, district, first, last_eligible = rng.choice(children)
        if rng.random() < REFUSED_SHARE:  # the day after eligibility ends
            begin = last_eligible + ONE_DAY
            end = begin + dt.timedelta(days=29)
        else:
            last = min(last_eligible, LAST_DAY)
            begin = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            end = min(begin + dt.timedelta(days=rng.randrange(90)), last)
        session = "summer" if rng.random() < SUMMER_SHARE else "regular"
        code = rng.choice(SERVICES)
        for name, value in (("coe_id", coe_id), ("child_index", index), ("service", code),
                            ("project_id", f"P-{district}-{session[0].upper()}"), ("session_type", session),
                            ("begin_date", begin), ("end_date", end),
                            ("hours", str(rng.randrange(2, 120)) if code in INSTRUCTIONAL else "")):
            columns[name].append(value)
    frame = (pl.DataFrame(columns)
             .with_columns(state_student_id=pl.lit(""))
             .select("coe_id", "child_index", "state_student_id", "service", "project_id", "session_type",
                     "begin_date", "end_date", "hours")
             .unique(["coe_id", "child_index", "project_id", "service", "begin_date"], maintain_order=True)
             .head(rows))
    frame.write_csv(out)
    return frame.height


if __name__ == "__main__":
    main()

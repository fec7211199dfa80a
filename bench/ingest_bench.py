"""Benchmark of `mepsis enrollments ingest` (issue: nightly enrollment feed, "Speed and memory").

Targets on a 2-core machine, with 100,000 certified children in the registry: a 1,000,000-row feed
ingested end to end (parse, check, store, match, alerts, SMEPA) in at most 30 s on PostgreSQL with peak
memory under 3 GB, at most 90 s on SQLite; the same feed again in at most 10 s on PostgreSQL; a feed with
1% of its rows changed in at most 15 s.

    python bench/make_feed_data.py        # once: writes the orgs, COEs and feeds into bench/out/
    python bench/ingest_bench.py [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os

from measure import OUT, fresh_database, measure

FILES = {"orgs": "orgs.csv", "coes": "feed-coes.jsonl", "feed": "feed-1m.csv", "changed": "feed-1m-changed.csv"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgresql,sqlite")
    options = parser.parse_args()
    paths = {name: OUT / file for name, file in FILES.items()}
    missing = [str(path) for path in paths.values() if not path.exists()]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: run bench/make_feed_data.py first")
    results = {"steps": []}
    for backend in options.backends.split(","):
        env = {**os.environ, "MEPSIS_DATABASE_URL": fresh_database(backend, "mepsis_ingest_bench"),
               "MEPSIS_DATA_DIR": str(OUT)}
        measure(results, backend, "init", ["init"], env)
        measure(results, backend, "orgs load", ["orgs", "load", paths["orgs"]], env)
        measure(results, backend, "coe import (the registry)", ["coe", "import", paths["coes"]], env, ok=(0, 1))
        measure(results, backend, "ingest 1M rows (first)", ["enrollments", "ingest", paths["feed"]], env, ok=(0, 1))
        measure(results, backend, "ingest the same feed", ["enrollments", "ingest", paths["feed"]], env, ok=(0, 1))
        measure(results, backend, "ingest with 1% changed", ["enrollments", "ingest", paths["changed"]], env,
                ok=(0, 1))
    (OUT / "ingest_results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark of record linkage (issue 5): quality, speed and memory of the exact and probabilistic stages,
on DuckDB and on Spark.

Targets on the 2-core machine, 100,000 certified children and a 1,000,000-row feed: auto-links at least
99.95% precise, recall of auto-links plus worklist at least 99.5%, the worklist at most 3% of the true
matches; the link step of the first ingest at most 20 s on DuckDB with the ingest's peak memory under 3 GB;
a feed with 1% of its rows changed linked in seconds; Spark's figure on the same data, and at what size it
wins.

    python bench/make_feed_data.py      # once: the orgs, COEs, the 1M-row feed with its truth, the 1% changed feed
    python bench/link_bench.py [--data DIR] [--spark-sizes 100000,300000,1000000] [--no-spark]

Each `mepsis` step runs in its own process, timed with its peak memory (bench/measure.py), on PostgreSQL:
1. a registry (init, orgs, COE import), kept as a template database;
2. the first ingest of the 1M-row feed (exact then probabilistic stage, DuckDB): the ingest's time and peak
   memory, and its link step's own seconds (the run's stage_seconds); then the quality against the truth
   (bench/link_quality.py); then the feed with 1% changed, and its link step;
3. the same registry and feed linked by the exact stage only, then `mepsis matching link` (the probabilistic
   stage over every unmatched enrollment) on DuckDB and on Spark (local[*]), each timed;
4. the candidate pairs each blocking rule makes (unmatched enrollments of step 3 against the children), and
   the probabilistic model alone (predict, in one process) on DuckDB and on Spark for growing numbers of
   enrollments, to find where Spark would win.
Results go to bench/out/link_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from measure import OUT, POSTGRES, fresh_database, measure

FILES = {"orgs": "orgs.csv", "coes": "feed-coes.jsonl", "feed": "feed-1m.csv", "changed": "feed-1m-changed.csv",
         "truth": "feed-1m.truth.jsonl"}
REGISTRY = "mepsis_link_bench_registry"
EXACT_ONLY = """
import django, sys
django.setup()
from pathlib import Path
from django.conf import settings
settings.MEPSIS_LINK_STAGES = ["mepsis.matching.exact.link_exact"]
from mepsis.enrollments.actions import ingest_feed
ingest_feed(Path(sys.argv[1]), source="bench", actor="bench")
"""
SIZES = """
import django, json, sys, time
django.setup()
import polars as pl
from mepsis.matching import probabilistic, splink_engine
from mepsis.matching.features import prepare
model = splink_engine.current_model()
children = prepare(probabilistic.certified_children())
enrollments = probabilistic.unmatched_enrollments()
results = []
for count in splink_engine.blocked_pairs(children, prepare(enrollments), model=model):
    print(json.dumps(count), flush=True)
for engine in sys.argv[2].split(","):
    for size in map(int, sys.argv[1].split(",")):
        sample = prepare(enrollments.head(size))
        started = time.perf_counter()
        pairs = splink_engine.predict(children, sample, model=model, threshold=4, engine_name=engine)
        results.append({"engine": engine, "enrollments": sample.height, "children": children.height,
                        "seconds": round(time.perf_counter() - started, 2), "pairs_above_review": pairs.height})
        print(json.dumps(results[-1]), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spark-sizes", default="100000,300000,1000000",
                        help="numbers of enrollments for the engines' comparison (model alone)")
    parser.add_argument("--no-spark", action="store_true", help="DuckDB only")
    parser.add_argument("--data", type=Path, default=OUT, help="where make_feed_data.py wrote (default bench/out)")
    options = parser.parse_args()
    paths = {name: options.data / file for name, file in FILES.items()}
    missing = [str(path) for path in paths.values() if not path.exists()]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: run bench/make_feed_data.py first")
    results: dict = {"steps": []}
    base = {**os.environ, "MEPSIS_DATA_DIR": str(OUT), "MEPSIS_LINK_ENGINE": "duckdb"}

    env = {**base, "MEPSIS_DATABASE_URL": fresh_database("postgresql", REGISTRY)}
    measure(results, "registry", "init", ["init"], env)
    measure(results, "registry", "orgs load", ["orgs", "load", paths["orgs"]], env)
    measure(results, "registry", "coe import", ["coe", "import", paths["coes"]], env, ok=(0, 1))

    env = {**base, "MEPSIS_DATABASE_URL": _copy(REGISTRY, "mepsis_link_bench")}
    measure(results, "duckdb", "ingest 1M rows (first)", ["enrollments", "ingest", paths["feed"]], env, ok=(0, 1))
    results["first_ingest_stage_seconds"] = _stage_seconds(env)
    results["quality"] = _quality(env, paths)
    print(json.dumps(results["quality"], indent=2), flush=True)
    measure(results, "duckdb", "ingest with 1% changed", ["enrollments", "ingest", paths["changed"]], env, ok=(0, 1))
    results["changed_ingest_stage_seconds"] = _stage_seconds(env)
    print("link step (exact + probabilistic), first ingest:", results["first_ingest_stage_seconds"]["linking"],
          "s; 1% changed:", results["changed_ingest_stage_seconds"]["linking"], "s", flush=True)

    exact = {**base, "MEPSIS_DATABASE_URL": _copy(REGISTRY, "mepsis_link_bench_exact")}
    _python(EXACT_ONLY, [paths["feed"]], exact)
    for engine in ("duckdb",) + (() if options.no_spark else ("spark",)):
        env = {**base, "MEPSIS_DATABASE_URL": _copy("mepsis_link_bench_exact", f"mepsis_link_bench_{engine}")}
        measure(results, engine, "matching link (probabilistic, all)", ["matching", "link", "--engine", engine], env)
    engines = "duckdb" if options.no_spark else "duckdb,spark"
    lines = [json.loads(line) for line in _python(SIZES, [options.spark_sizes, engines], exact).splitlines()
             if line.startswith("{")]
    results["blocking_rules"] = [line for line in lines if "rule" in line]
    results["model_alone"] = [line for line in lines if "engine" in line]
    (OUT / "link_results.json").write_text(json.dumps(results, indent=2))


def _copy(template: str, name: str) -> str:
    for statement in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name} TEMPLATE {template}"):
        subprocess.run(["psql", f"{POSTGRES}/postgres", "-qc", statement], check=True, capture_output=True)
    return f"{POSTGRES}/{name}"


def _python(code: str, argv: list, env: dict) -> str:
    ran = subprocess.run([sys.executable, "-c", code, *map(str, argv)], text=True, capture_output=True,
                         env={**env, "DJANGO_SETTINGS_MODULE": "mepsis.settings"})
    if ran.returncode:
        sys.exit(ran.stderr[-3000:])
    print(ran.stdout, end="", flush=True)
    return ran.stdout


def _stage_seconds(env: dict) -> dict:
    code = ("import django, json; django.setup(); from mepsis.enrollments.models import IngestRun; "
            "print(json.dumps(IngestRun.objects.order_by('-pk').first().summary['stage_seconds']))")
    return json.loads(_python(code, [], env).strip().splitlines()[-1])


def _quality(env: dict, paths: dict) -> dict:
    code = ("import django, json, sys; django.setup(); sys.path.insert(0, sys.argv[3]); "
            "from link_quality import judge; from pathlib import Path; print(json.dumps(judge(Path(sys.argv[1]), Path(sys.argv[2]))))")
    return json.loads(_python(code, [paths["feed"], paths["truth"], Path(__file__).parent], env)
                      .strip().splitlines()[-1])


if __name__ == "__main__":
    main()

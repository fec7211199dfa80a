"""Benchmark of `mepsis coe check` and `mepsis coe import` (issue: foundation, "Speed").

Targets on a 2-core machine: check of 100,000 COEs from JSON lines in at most 10 s; import of 100,000 COEs
(about 200,000 children) into an empty database in at most 60 s on SQLite and on PostgreSQL, peak memory
under 2 GB; re-importing the same file in at most 20 s.

    python bench/coe_bench.py [--count 100000] [--backends sqlite,postgresql]

Each step runs `mepsis` in its own process under /usr/bin/time, which gives the wall time and the peak
resident memory. The generated data and a results.json stay in bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from measure import OUT, fresh_database, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    options = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    orgs, coes = OUT / "orgs.csv", OUT / f"coes-{options.count}.jsonl"
    if not coes.exists():
        synth = [sys.executable, "-m", "mepsis.synth"]
        subprocess.run([*synth, "orgs", "--seed", "1", "--districts", "400", "--out", orgs], check=True)
        subprocess.run([*synth, "coes", "--seed", "1", "--count", str(options.count), "--orgs", orgs,
                        "--out", coes], check=True)
    children = sum(len(json.loads(line)["children"]) for line in coes.open())
    results = {"coes": options.count, "children": children, "steps": []}
    print(f"{options.count} COEs, {children} children ({coes.stat().st_size / 1e6:.0f} MB)")
    for backend in options.backends.split(","):
        url = fresh_database(backend)
        env = {**os.environ, "MEPSIS_DATABASE_URL": url, "MEPSIS_DATA_DIR": str(OUT)}
        measure(results, backend, "init", ["init"], env)
        measure(results, backend, "orgs load", ["orgs", "load", orgs], env)
        if backend == "sqlite":
            measure(results, backend, "coe check", ["coe", "check", coes, "--format", "json"], env, ok=(0, 1))
        measure(results, backend, "coe import (empty database)", ["coe", "import", coes], env)
        measure(results, backend, "coe import again (unchanged)", ["coe", "import", coes], env)
    (OUT / "coe_results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

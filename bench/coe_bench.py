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
from pathlib import Path

OUT = Path(__file__).with_name("out")
POSTGRES = "postgresql://postgres@127.0.0.1:5432"


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
        url = _fresh_database(backend)
        env = {**os.environ, "MEPSIS_DATABASE_URL": url, "MEPSIS_DATA_DIR": str(OUT)}
        _measure(results, backend, "init", ["init"], env)
        _measure(results, backend, "orgs load", ["orgs", "load", orgs], env)
        if backend == "sqlite":
            _measure(results, backend, "coe check", ["coe", "check", coes, "--format", "json"], env, ok=(0, 1))
        _measure(results, backend, "coe import (empty database)", ["coe", "import", coes], env)
        _measure(results, backend, "coe import again (unchanged)", ["coe", "import", coes], env)
    (OUT / "coe_results.json").write_text(json.dumps(results, indent=2))


def _fresh_database(backend: str) -> str:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (OUT / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{OUT / 'bench.sqlite3'}"
    for statement in ("DROP DATABASE IF EXISTS mepsis_bench WITH (FORCE)", "CREATE DATABASE mepsis_bench"):
        subprocess.run(["psql", f"{POSTGRES}/postgres", "-qc", statement], check=True)
    return f"{POSTGRES}/mepsis_bench"


def _measure(results: dict, backend: str, step: str, argv: list, env: dict, ok: tuple[int, ...] = (0,)) -> None:
    command = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "mepsis", *map(str, argv)]
    ran = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    *messages, timing = ran.stderr.strip().splitlines()
    seconds, kilobytes = timing.split()
    if ran.returncode not in ok:
        sys.exit(f"{backend} {step} failed ({ran.returncode}):\n" + "\n".join(messages[-20:]))
    row = {"backend": backend, "step": step, "seconds": float(seconds), "peak_mb": round(int(kilobytes) / 1024)}
    results["steps"].append(row)
    print(f"{backend:<11} {step:<30} {row['seconds']:>7.1f} s {row['peak_mb']:>6} MB   {messages[-1] if messages else ''}")


if __name__ == "__main__":
    main()

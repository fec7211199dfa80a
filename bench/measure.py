"""What the benchmarks share: a fresh database of each kind, and `mepsis` steps timed in their own process
under /usr/bin/time, which reports the wall time and the peak resident memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).with_name("out")
POSTGRES = "postgresql://postgres@127.0.0.1:5432"


def fresh_database(backend: str, name: str = "mepsis_bench") -> str:
    OUT.mkdir(exist_ok=True)
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (OUT / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{OUT / f'{name}.sqlite3'}"
    for statement in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", f"{POSTGRES}/postgres", "-qc", statement], check=True, capture_output=True)
    return f"{POSTGRES}/{name}"


def measure(results: dict, backend: str, step: str, argv: list, env: dict, ok: tuple[int, ...] = (0,)) -> dict:
    """Run `mepsis ARGV`, print and keep its time and peak memory; stop the benchmark if it fails."""
    command = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "mepsis", *map(str, argv)]
    ran = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    *messages, timing = ran.stderr.strip().splitlines()
    seconds, kilobytes = timing.split()
    if ran.returncode not in ok:
        sys.exit(f"{backend} {step} failed ({ran.returncode}):\n" + "\n".join(messages[-20:]))
    row = {"backend": backend, "step": step, "seconds": float(seconds), "peak_mb": round(int(kilobytes) / 1024)}
    results["steps"].append(row)
    print(f"{backend:<11} {step:<34} {row['seconds']:>7.1f} s {row['peak_mb']:>6} MB   {messages[-1] if messages else ''}",
          flush=True)
    return row

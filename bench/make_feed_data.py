"""Data for the enrollment-feed benchmarks (issues 4 and 5): a state of 400 districts, COEs of 100,000
certified children, a 1,000,000-row nightly feed with its truth, and the same feed a night later with 1% of
its rows changed.

    python bench/make_feed_data.py [--children 100000] [--rows 1000000] [--rate 0.01] [--seed 1] [--out DIR]

Writes into bench/out/ (or DIR), under the names bench/ingest_bench.py reads: orgs.csv (the same file, byte for byte,
as bench/coe_bench.py writes: seed 1, 400 districts, so the two benchmarks share it), feed-coes.jsonl,
feed-1m.csv with its truth feed-1m.truth.jsonl (one JSON line a feed row: its line in the file, the header
being line 1, and the coe_id and child_index of the COE child it is, or nulls) and feed-1m-changed.csv,
plus feed-data.json with the counts, times and sizes. The COEs are two seasons (2024 and 2025: 40% and 60%
of the certified children), of every status, 2% with a defect; no date is after the night of the feed
(2026-03-01). The feed and the changed feed are written by `python -m mepsis.synth` in a process of their
own, whose wall time and peak memory are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from mepsis import synth

OUT = Path(__file__).with_name("out")
NIGHT = "2026-03-01"
SEASONS = (  # (year, share of the certified children, statuses)
    (2024, 0.4, {"approved": 92, "rejected": 5, "returned": 2, "void": 1}),
    (2025, 0.6, {"approved": 84, "submitted": 6, "draft": 2, "returned": 3, "rejected": 4, "void": 1}),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000, help="certified children (default 100000)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the feed (default 1000000)")
    parser.add_argument("--rate", type=float, default=0.01, help="share of rows changed a night later")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to write into (default bench/out)")
    options = parser.parse_args()
    out = options.out
    out.mkdir(exist_ok=True)
    orgs_file, coes_file = out / "orgs.csv", out / "feed-coes.jsonl"
    label = _label(options.rows)
    feed_file, truth_file = out / f"feed-{label}.csv", out / f"feed-{label}.truth.jsonl"
    changed_file = out / f"feed-{label}-changed.csv"
    summary: dict = {"seed": options.seed, "steps": []}

    started = time.perf_counter()
    orgs = synth.make_orgs(1, districts=400)  # as bench/coe_bench.py makes it
    synth.write_orgs_csv(orgs, orgs_file)
    _report(summary, "orgs (400 districts)", time.perf_counter() - started, None, orgs_file,
            schools=sum(1 for row in orgs if row["school_id"]))

    started = time.perf_counter()
    counts = {"documents": 0, "children": 0, "certified": 0}
    district_ids = [row["district_id"] for row in orgs if not row["school_id"]]
    cities = synth.district_cities(orgs)
    documents = (document for number, (year, share, statuses) in enumerate(SEASONS)
                 for document in _season(options.seed + number, year, round(options.children * share), statuses,
                                         district_ids, cities, counts))
    synth.write_jsonl(documents, coes_file)
    _report(summary, "COEs", time.perf_counter() - started, None, coes_file, **counts)

    synth_command = [sys.executable, "-m", "mepsis.synth"]
    seconds, peak = _run([*synth_command, "feed", "--seed", str(options.seed), "--coes", coes_file,
                          "--orgs", orgs_file, "--rows", str(options.rows), "--out", feed_file,
                          "--truth", truth_file])
    migrant = sum(1 for line in truth_file.open() if '"coe_id": null' not in line)
    _report(summary, f"feed ({options.rows} rows) and its truth", seconds, peak, feed_file,
            truth_bytes=truth_file.stat().st_size, rows_of_coe_children=migrant)

    seconds, peak = _run([*synth_command, "change-feed", "--seed", str(options.seed), "--feed", feed_file,
                          "--rate", str(options.rate), "--out", changed_file])
    with feed_file.open(encoding="utf-8") as before, changed_file.open(encoding="utf-8") as after:
        changed = sum(old != new for old, new in zip(before, after))
    _report(summary, f"feed with {options.rate:.0%} changed", seconds, peak, changed_file, rows_changed=changed)
    (out / "feed-data.json").write_text(json.dumps(summary, indent=2) + "\n")


def _label(rows: int) -> str:
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if rows >= size and rows % size == 0:
            return f"{rows // size}{suffix}"
    return str(rows)


def _season(seed: int, year: int, certified: int, statuses: dict[str, float], district_ids: list[str],
            cities: dict[str, str], counts: dict[str, int]) -> Iterator[dict]:
    """COEs of one season until their approved ones certify ``certified`` children."""
    done = 0
    for document in synth.make_coes(seed, 10 ** 7, district_ids=district_ids, year=year, statuses=statuses,
                                    defect_rate=0.02, today=NIGHT, cities=cities):
        if done >= certified:
            return
        children = len(document["children"])
        if document["status"] == "approved":
            done += children
            counts["certified"] += children
        counts["documents"] += 1
        counts["children"] += children
        yield document


def _run(command: list) -> tuple[float, float]:
    """Run a command; its wall time in seconds and peak resident memory in MB."""
    started = time.perf_counter()
    process = subprocess.Popen([str(part) for part in command])
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(map(str, command))} failed with exit code {process.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def _report(summary: dict, step: str, seconds: float, peak_mb: float | None, path: Path, **facts: int) -> None:
    size = path.stat().st_size
    memory = f", peak {peak_mb:.0f} MB" if peak_mb is not None else ""
    details = "".join(f", {key.replace('_', ' ')} {value:,}" for key, value in facts.items())
    print(f"{step}: {seconds:.1f} s{memory}; {path.name} {size / 1e6:.1f} MB{details}", flush=True)
    summary["steps"].append({"step": step, "seconds": round(seconds, 2), "peak_mb": peak_mb and round(peak_mb),
                             "file": path.name, "bytes": size, **facts})


if __name__ == "__main__":
    main()

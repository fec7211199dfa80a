"""Benchmark of the REST API (issue 6, "Speed"): the consolidated child record and the children list.

Targets, on PostgreSQL with 100,000 certified children and 1,000,000 enrollments, served by `mepsis serve`
(gunicorn) and loaded by wrk on the same 2-core machine:
- `GET /api/v1/children/{child_id}/`: p95 at most 150 ms at 50 concurrent users;
- `GET /api/v1/children/?district=ID` (25 a page): at least 300 requests/s.

    python bench/make_feed_data.py     # once: writes the orgs, COEs and feed into bench/out/
    python bench/api_bench.py [--reload] [--duration 20] [--workers N]

The database `mepsis_api_bench` is loaded once (init, orgs load, coe import, enrollments ingest of the files
of make_feed_data.py) and reused by later runs (`--reload` loads it again); each run migrates it first. Two
API clients call with tokens: a reviewer (statewide) and the regional administrator of the region with the
most linked enrollments (scoped). Every request goes through token authentication, the caller's scope and
the audit log (a read of a record, or one export event a page). Figures are printed and written to
bench/out/api_results.json.
"""

from __future__ import annotations

import argparse
import json

from loadtest import check, prepare, served, users, wrk
from measure import OUT

DISTRICTS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="load the database again from bench/out/")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per run (default 20)")
    parser.add_argument("--record-connections", type=int, default=50, help="concurrent users of the record")
    parser.add_argument("--list-connections", type=int, default=16, help="concurrent users of the list")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: mepsis serve's)")
    parser.add_argument("--port", type=int, default=8766)
    options = parser.parse_args()
    results: dict = {"steps": [], "runs": []}
    env = prepare(results, "api-bench", options.reload)
    clients = _clients()
    with served(env, options.port, options.workers):
        for label, (key, child_ids, districts) in clients.items():
            for what, paths, connections in (
                    ("child record", [f"/api/v1/children/{child_id}/" for child_id in child_ids],
                     options.record_connections),
                    ("children list by district", [f"/api/v1/children/?district={district}"
                                                   for district in districts], options.list_connections)):
                check(options.port, paths[0], "Authorization", f"Token {key}")
                run = wrk(options.port, paths, "Authorization", f"Token {key}", connections, options.duration)
                run.update(what=what, client=label, paths=len(paths), connections=connections,
                           workers=options.workers, requests_per_second=round(run["requests"] / run["seconds"], 1))
                results["runs"].append(run)
                print(f"{what:<26} {label:<24} {connections:>3} users: {run['requests_per_second']:7.1f} req/s, "
                      f"p50 {run['p50_ms']:6.1f} ms, p95 {run['p95_ms']:6.1f} ms, p99 {run['p99_ms']:6.1f} ms, "
                      f"non-2xx {run['non_2xx']}, socket errors {run['socket_errors']}", flush=True)
    (OUT / "api_results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


def _clients() -> dict:
    """The API clients (loadtest.users), each with a new token, the children whose records it reads and the
    districts it lists: those of its scope with the most linked enrollments."""
    from django.db.models import Count

    from mepsis.access.actions import issue_token
    from mepsis.access.scope import scope_for
    from mepsis.enrollments.models import Enrollment

    clients = {}
    for label, (user, child_ids) in users("api-bench").items():
        districts = list(Enrollment.objects.filter(child__isnull=False, district__in=scope_for(user).districts())
                         .values("district__district_id").annotate(enrollments=Count("id"))
                         .order_by("-enrollments").values_list("district__district_id", flat=True)[:DISTRICTS])
        if not districts:
            raise SystemExit(f"{user} sees no district with enrollments: is the feed loaded?")
        _, key = issue_token(user, actor="api-bench")
        clients[label] = (key, child_ids, districts)
    return clients


if __name__ == "__main__":
    main()

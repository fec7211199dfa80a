"""Benchmark of the REST API (issue 6, "Speed"): the consolidated child record and the children list.

Targets, on PostgreSQL with 100,000 certified children and 1,000,000 enrollments, served by `mepsis serve`
(gunicorn) and loaded by wrk on the same 2-core machine:
- `GET /api/v1/children/{child_id}/`: p95 at most 150 ms at 50 concurrent users, measured twice: as a stress
  test (each of 50 connections asks again as soon as it is answered) and as 50 users who read each record for
  about --think ms before the next;
- `GET /api/v1/children/?district=ID` (25 a page): at least 300 requests/s (16 connections asking again at once).

    python bench/make_feed_data.py     # once: writes the orgs, COEs and feed into bench/out/
    python bench/api_bench.py [--reload] [--duration 20] [--workers N]

The database `mepsis_api_bench` is loaded once (init, orgs load, coe import, enrollments ingest of the files
of make_feed_data.py) and reused by later runs (`--reload` loads it again); each run migrates it first. Two
API clients call with tokens: a reviewer (statewide) and the regional administrator of the region with the
most linked enrollments (scoped). Every request goes through token authentication, the caller's scope and
the audit log (a read of a record, or one export event a page). Each run follows a warm-up of a few seconds
and reports the CPU a request cost in gunicorn, PostgreSQL and wrk. Figures are printed and written to
bench/out/api_results.json.
"""

from __future__ import annotations

import argparse
import json

from loadtest import check, measured, prepare, report, served, users
from measure import OUT

DISTRICTS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="load the database again from bench/out/")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per run (default 20)")
    parser.add_argument("--record-connections", type=int, default=50, help="concurrent users of the record")
    parser.add_argument("--list-connections", type=int, default=16, help="concurrent users of the list")
    parser.add_argument("--think", type=int, default=1000,
                        help="ms a user of the record reads it before the next, in the second record run (default 1000)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: mepsis serve's)")
    parser.add_argument("--port", type=int, default=8766)
    options = parser.parse_args()
    results: dict = {"steps": [], "runs": []}
    env = prepare(results, "api-bench", options.reload)
    clients = _clients()
    with served(env, options.port, options.workers) as server:
        for label, (key, child_ids, districts) in clients.items():
            records = [f"/api/v1/children/{child_id}/" for child_id in child_ids]
            lists = [f"/api/v1/children/?district={district}" for district in districts]
            for what, paths, connections, think in (
                    ("child record", records, options.record_connections, 0),
                    ("child record", records, options.record_connections, options.think),
                    ("children list by district", lists, options.list_connections, 0)):
                check(options.port, paths[0], "Authorization", f"Token {key}")
                run = measured(server, options.port, paths, "Authorization", f"Token {key}", connections,
                               options.duration, think)
                run.update(what=what, client=label, paths=len(paths), workers=options.workers)
                results["runs"].append(run)
                report(run)
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

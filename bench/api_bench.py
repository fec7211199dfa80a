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
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from measure import OUT, POSTGRES, fresh_database, measure

DATABASE = "mepsis_api_bench"
FILES = {"orgs": "orgs.csv", "coes": "feed-coes.jsonl", "feed": "feed-1m.csv"}
CHILDREN = 2000
DISTRICTS = 20

# wrk asks for the paths in turn and reports what it measured as one JSON line.
WRK_SCRIPT = """
local paths = {%(paths)s}
local n = 0
wrk.headers["Authorization"] = "Token %(key)s"
request = function()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n])
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format('{"requests": %%d, "seconds": %%.3f, "non_2xx": %%d, "socket_errors": %%d, '
    .. '"p50_ms": %%.1f, "p90_ms": %%.1f, "p95_ms": %%.1f, "p99_ms": %%.1f, "max_ms": %%.1f}\\n',
    summary.requests, summary.duration / 1e6, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="load the database again from bench/out/")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per run (default 20)")
    parser.add_argument("--record-connections", type=int, default=50, help="concurrent users of the record")
    parser.add_argument("--list-connections", type=int, default=16, help="concurrent users of the list")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: mepsis serve's)")
    parser.add_argument("--port", type=int, default=8766)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    env = {**os.environ, "MEPSIS_DATABASE_URL": f"{POSTGRES}/{DATABASE}", "MEPSIS_DATA_DIR": str(OUT),
           "MEPSIS_SECRET_KEY": "api-bench", "MEPSIS_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    results: dict = {"steps": [], "runs": []}
    if options.reload or not _loaded(env["MEPSIS_DATABASE_URL"]):
        _load(results, env)
    measure(results, "postgresql", "init (migrate)", ["init"], env)

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mepsis.settings"
    import django

    django.setup()
    clients = _clients()
    results["data"] = _counts()
    print(f"data: {results['data']}", flush=True)
    server = _serve(env, options)
    try:
        for label, (key, child_ids, districts) in clients.items():
            for what, paths, connections in (
                    ("child record", [f"/api/v1/children/{child_id}/" for child_id in child_ids],
                     options.record_connections),
                    ("children list by district", [f"/api/v1/children/?district={district}"
                                                   for district in districts], options.list_connections)):
                _check(options.port, paths[0], key)
                run = _wrk(options, paths, key, connections)
                run.update(what=what, client=label, paths=len(paths), connections=connections,
                           workers=options.workers, requests_per_second=round(run["requests"] / run["seconds"], 1))
                results["runs"].append(run)
                print(f"{what:<26} {label:<24} {connections:>3} users: {run['requests_per_second']:7.1f} req/s, "
                      f"p50 {run['p50_ms']:6.1f} ms, p95 {run['p95_ms']:6.1f} ms, p99 {run['p99_ms']:6.1f} ms, "
                      f"non-2xx {run['non_2xx']}, socket errors {run['socket_errors']}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    (OUT / "api_results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


def _loaded(url: str) -> bool:
    """The database exists and holds the feed's million enrollments."""
    found = subprocess.run(["psql", url, "-tAc", "SELECT count(*) FROM enrollments_enrollment"],
                           capture_output=True, text=True)
    return found.returncode == 0 and int(found.stdout.strip() or 0) >= 1_000_000


def _load(results: dict, env: dict) -> None:
    paths = {name: OUT / file for name, file in FILES.items()}
    missing = [str(path) for path in paths.values() if not path.exists()]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: run bench/make_feed_data.py first")
    env["MEPSIS_DATABASE_URL"] = fresh_database("postgresql", DATABASE)
    measure(results, "postgresql", "init", ["init"], env)
    measure(results, "postgresql", "orgs load", ["orgs", "load", paths["orgs"]], env)
    measure(results, "postgresql", "coe import (the registry)", ["coe", "import", paths["coes"]], env, ok=(0, 1))
    measure(results, "postgresql", "ingest 1M enrollments", ["enrollments", "ingest", paths["feed"]], env, ok=(0, 1))
    # The statistics autovacuum would gather soon after a load, so the plans are those of a running state.
    subprocess.run(["psql", env["MEPSIS_DATABASE_URL"], "-qc", "ANALYZE"], check=True)


def _counts() -> dict:
    from mepsis.enrollments.models import Enrollment
    from mepsis.registry.models import Child

    return {"children": Child.objects.count(), "enrollments": Enrollment.objects.count(),
            "linked_enrollments": Enrollment.objects.filter(child__isnull=False).count()}


def _clients() -> dict:
    """The API clients, each with a new token, the children whose records it reads (with enrollments, so the
    record has them to show) and the districts it lists (those of its scope with the most linked
    enrollments): a reviewer (statewide) and the regional administrator of the region with the most linked
    enrollments (district staff see only the current school year, which the feed's 2025-26 is not)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from mepsis.access.actions import issue_token
    from mepsis.access.models import Role, RoleGrant
    from mepsis.access.scope import scope_for
    from mepsis.enrollments.models import Enrollment

    linked = Enrollment.objects.filter(child__isnull=False)
    busiest = (linked.values("district__region_id").annotate(enrollments=Count("id"))
               .order_by("-enrollments")[0]["district__region_id"])
    clients = {}
    for role, region in ((Role.REVIEWER, None), (Role.REGIONAL_ADMIN, busiest)):
        user, _ = get_user_model().objects.get_or_create(username=f"api-bench-{role}")
        RoleGrant.objects.get_or_create(user=user, role=role, region_id=region, ended_at=None)
        scope = scope_for(user)
        child_ids = list(scope.children().filter(pk__in=linked.values("child_id"))
                         .order_by("?").values_list("child_id", flat=True)[:CHILDREN])
        districts = list(linked.filter(district__in=scope.districts()).values("district__district_id")
                         .annotate(enrollments=Count("id")).order_by("-enrollments")
                         .values_list("district__district_id", flat=True)[:DISTRICTS])
        if not child_ids or not districts:
            raise SystemExit(f"{user} sees no child with enrollments: is the feed loaded?")
        _, key = issue_token(user, actor="api-bench")
        clients[role.label] = (key, child_ids, districts)
    return clients


def _serve(env: dict, options) -> subprocess.Popen:
    """`mepsis serve` on the port, once it answers."""
    command = [sys.executable, "-m", "mepsis", "serve", "--host", "127.0.0.1", "--port", str(options.port),
               *(["--workers", str(options.workers)] if options.workers else [])]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", options.port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"{' '.join(command)} stopped with exit code {server.returncode}")
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start in 30 s")


def _check(port: int, path: str, key: str) -> None:
    """One request first: it answers 200 with JSON (a 401 or 404 would measure nothing)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
        if response.status != 200 or ("results" in body and not body["results"]):
            raise SystemExit(f"{path} answered {response.status} with {str(body)[:200]}")


def _wrk(options, paths: list[str], key: str, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": ", ".join(json.dumps(path) for path in paths), "key": key})
    try:
        ran = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{options.duration}s",
                              "--timeout", "10s", "-s", script.name, f"http://127.0.0.1:{options.port}"],
                             capture_output=True, text=True, check=True)
    finally:
        Path(script.name).unlink()
    return json.loads(ran.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()

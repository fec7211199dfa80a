"""What the load benchmarks (api_bench.py, web_bench.py) share: the feed benchmark's data set in PostgreSQL,
loaded once and reused, `mepsis serve` on a port, the users that call it, and wrk driving it.

The database `mepsis_api_bench` is loaded once (init, orgs load, coe import, enrollments ingest of the files
of make_feed_data.py) and reused by later runs (`--reload` loads it again); each run migrates it first.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
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
WARM_UP = 3  # seconds

# wrk asks for the paths in turn and reports what it measured as one JSON line.
WRK_SCRIPT = """
local paths = {%(paths)s}
local n = 0
wrk.headers[%(header)s] = %(value)s
request = function()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n])
end
-- A user reading a page before the next one: a pause drawn between half and one and a half times the think time.
if %(think)d > 0 then
  delay = function() return math.random(%(think)d / 2, %(think)d * 3 / 2) end
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


def prepare(results: dict, secret_key: str, reload: bool) -> dict:
    """The environment of `mepsis serve` on the benchmark's database: loaded if it is not (or `reload`),
    migrated, and set up for Django in this process too (to make the users). Stops if wrk is missing."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    env = {**os.environ, "MEPSIS_DATABASE_URL": f"{POSTGRES}/{DATABASE}", "MEPSIS_DATA_DIR": str(OUT),
           "MEPSIS_SECRET_KEY": secret_key, "MEPSIS_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    if reload or not _loaded(env["MEPSIS_DATABASE_URL"]):
        _load(results, env)
    measure(results, "postgresql", "init (migrate)", ["init"], env)

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mepsis.settings"
    import django

    django.setup()
    results["data"] = _counts()
    print(f"data: {results['data']}", flush=True)
    return env


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


def users(prefix: str) -> dict:
    """The users that call, by role, each with the children whose records it reads (with enrollments, so the
    record has them to show): a reviewer (statewide) and the regional administrator of the region with the
    most linked enrollments (scoped; district staff see only the current school year, which the feed's
    2025-26 is not)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from mepsis.access.models import Role, RoleGrant
    from mepsis.access.scope import scope_for
    from mepsis.enrollments.models import Enrollment

    linked = Enrollment.objects.filter(child__isnull=False)
    busiest = (linked.values("district__region_id").annotate(enrollments=Count("id"))
               .order_by("-enrollments")[0]["district__region_id"])
    found = {}
    for role, region in ((Role.REVIEWER, None), (Role.REGIONAL_ADMIN, busiest)):
        user, _ = get_user_model().objects.get_or_create(username=f"{prefix}-{role}")
        RoleGrant.objects.get_or_create(user=user, role=role, region_id=region, ended_at=None)
        child_ids = list(scope_for(user).children().filter(pk__in=linked.values("child_id"))
                         .order_by("?").values_list("child_id", flat=True)[:CHILDREN])
        if not child_ids:
            raise SystemExit(f"{user} sees no child with enrollments: is the feed loaded?")
        found[role.label] = (user, child_ids)
    return found


@contextlib.contextmanager
def served(env: dict, port: int, workers: int | None):
    """`mepsis serve` on the port, once it answers; stopped on leaving."""
    command = [sys.executable, "-m", "mepsis", "serve", "--host", "127.0.0.1", "--port", str(port),
               *(["--workers", str(workers)] if workers else [])]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(server, command, port)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _wait_for(server: subprocess.Popen, command: list[str], port: int) -> None:
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"{' '.join(command)} stopped with exit code {server.returncode}")
            time.sleep(0.1)
    raise SystemExit("the server did not start in 30 s")


def check(port: int, path: str, header: str, value: str) -> None:
    """One request first: it answers 200 to the signed-in caller, with results if it lists (a login page, a
    401, a 404 or an empty list would measure nothing)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={header: value})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        empty = response.headers.get_content_type() == "application/json" and json.loads(body).get("results") == []
        if response.status != 200 or "/login/" in response.url or empty:
            raise SystemExit(f"{path} answered {response.status} at {response.url} with {body[:200]!r}")


def wrk(port: int, paths: list[str], header: str, value: str, connections: int, duration: int,
        think: int = 0) -> dict:
    """wrk's figures for `connections` users asking for the paths in turn for `duration` seconds, each
    pausing about `think` ms between requests."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": ", ".join(json.dumps(path) for path in paths),
                                   "header": json.dumps(header), "value": json.dumps(value), "think": think})
    try:
        ran = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s",
                              "--timeout", "10s", "-s", script.name, f"http://127.0.0.1:{port}"],
                             capture_output=True, text=True, check=True)
    finally:
        Path(script.name).unlink()
    return json.loads(ran.stdout.strip().splitlines()[-1])


def measured(server, port: int, paths: list[str], header: str, value: str, connections: int, duration: int,
             think: int = 0) -> dict:
    """wrk's figures (after a warm-up of a few seconds, not counted: the workers' first requests load code and
    fill caches) with what the run cost a request in CPU: the server's, PostgreSQL's and wrk's."""
    wrk(port, paths, header, value, connections, WARM_UP, think)
    before = cpu_seconds(server.pid)
    run = wrk(port, paths, header, value, connections, duration, think)
    after = cpu_seconds(server.pid)
    run.update(connections=connections, think_ms=think, load_average=os.getloadavg()[0],
               requests_per_second=round(run["requests"] / run["seconds"], 1),
               **{f"{part}_cpu_ms_per_request": round(1000 * (after[part] - before.get(part, 0))
                                                      / max(run["requests"], 1), 2) for part in after})
    return run


def report(run: dict) -> None:
    print(f"{run['what']:<26} {run['client']:<24} {run['connections']:>3} users, think {run['think_ms']:>4} ms: "
          f"{run['requests_per_second']:7.1f} req/s, p50 {run['p50_ms']:6.1f} ms, p95 {run['p95_ms']:6.1f} ms, "
          f"p99 {run['p99_ms']:6.1f} ms, non-2xx {run['non_2xx']}, socket errors {run['socket_errors']}; "
          f"CPU a request: gunicorn {run['gunicorn_cpu_ms_per_request']} ms, PostgreSQL "
          f"{run['postgresql_cpu_ms_per_request']} ms, wrk {run['wrk_cpu_ms_per_request']} ms; "
          f"load average {run['load_average']:.1f}", flush=True)


def cpu_seconds(server_pid: int) -> dict:
    """CPU seconds used so far by the server (`mepsis serve`, its gunicorn workers), by the PostgreSQL
    backends serving this database, and by the finished child processes of this script (wrk): what a request
    costs, whatever else the machine is doing."""
    from django.db import connection

    def used(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def parent(pid: int) -> int | None:
        try:
            return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError):
            return None

    pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    server = [server_pid] + [pid for pid in pids if parent(pid) == server_pid]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        backends = [pid for (pid,) in cursor.fetchall()]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"gunicorn": sum(map(used, server)), "postgresql": sum(map(used, backends)),
            "wrk": children.ru_utime + children.ru_stime}

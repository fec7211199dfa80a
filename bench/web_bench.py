"""Benchmark of the web pages (issue 6, "Speed"): the consolidated child record page under load.

Target: p95 at most 150 ms at 50 concurrent users, on PostgreSQL with 100,000 certified children and
1,000,000 enrollments, served by `mepsis serve` (gunicorn) and loaded with wrk on the same 2-core machine.

    python bench/make_feed_data.py     # once: writes the orgs, COEs and feed into bench/out/
    python bench/web_bench.py [--reload] [--duration 30] [--connections 50] [--think 1000] [--workers N]

The database is bench/api_bench.py's `mepsis_api_bench`, loaded once by either benchmark (init, orgs load,
coe import, enrollments ingest: the files of make_feed_data.py) and reused by the next runs (`--reload`
loads it again); each run migrates it first.
Two users sign in by a session made here: a reviewer (statewide) and the regional administrator of the
region with the most enrollments (scoped). wrk requests the records of 2,000 children with enrollments in
turn (for the regional administrator, children in their scope), each one read and audited: first with no
pause between requests (each connection asks again as soon as it is answered: a stress test), then as users
who read each page for about --think ms. Figures are printed and written to bench/out/web_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

# The API benchmark's data set, loaded and served the same way.
from api_bench import CHILDREN, DATABASE, _counts, _load, _loaded, _serve
from measure import OUT, POSTGRES, measure

# wrk asks for the paths in turn and reports the percentiles it measured as one JSON line.
WRK_SCRIPT = """
local paths = {%(paths)s}
local n = 0
wrk.headers["Cookie"] = "%(cookie)s"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="load the database again from bench/out/")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per user (default 30)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: mepsis serve's)")
    parser.add_argument("--think", type=int, default=1000,
                        help="milliseconds a user reads a page before the next, on average, in the second run of "
                             "each user (default 1000; the first run has none)")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    url = f"{POSTGRES}/{DATABASE}"
    env = {**os.environ, "MEPSIS_DATABASE_URL": url, "MEPSIS_DATA_DIR": str(OUT),
           "MEPSIS_SECRET_KEY": "web-bench", "MEPSIS_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    results: dict = {"steps": [], "runs": []}
    if options.reload or not _loaded(url):
        _load(results, env)
    measure(results, "postgresql", "init (migrate)", ["init"], env)

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mepsis.settings"
    import django

    django.setup()
    users = _users()
    results["data"] = _counts()
    print(f"data: {results['data']}", flush=True)
    server = _serve(env, options)
    try:
        for label, (user, child_ids) in users.items():
            paths = [f"/children/{child_id}/" for child_id in child_ids]
            _check(options.port, paths[0], _cookie(user))
            for think in (0, options.think):
                before = _cpu_seconds(server.pid)
                run = _wrk(options, paths, _cookie(user), think)
                after = _cpu_seconds(server.pid)
                run.update(user=str(label), children=len(paths), connections=options.connections,
                           workers=options.workers, think_ms=think, load_average=os.getloadavg()[0],
                           **{f"{part}_cpu_ms_per_request": round(1000 * (after[part] - before.get(part, 0))
                                                                  / max(run["requests"], 1), 2)
                              for part in after})
                results["runs"].append(run)
                print(f"child record, {str(label):<24} {options.connections} users, think {think:>4} ms: "
                      f"{run['requests'] / run['seconds']:7.1f} req/s, p50 {run['p50_ms']:6.1f} ms, "
                      f"p95 {run['p95_ms']:6.1f} ms, p99 {run['p99_ms']:6.1f} ms, non-2xx {run['non_2xx']}, "
                      f"socket errors {run['socket_errors']}; CPU a request: gunicorn "
                      f"{run['gunicorn_cpu_ms_per_request']} ms, PostgreSQL {run['postgresql_cpu_ms_per_request']} ms, "
                      f"wrk {run['wrk_cpu_ms_per_request']} ms; load average {run['load_average']:.1f}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    (OUT / "web_results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


def _users() -> dict:
    """The users that sign in, each with the children whose records it asks for: a reviewer (statewide) and
    the regional administrator of the region with the most linked enrollments (scoped by the enrollments and
    COEs of its districts; district staff see only the current school year, which the feed's 2025-26 is not)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from mepsis.access.models import Role, RoleGrant
    from mepsis.access.scope import scope_for
    from mepsis.enrollments.models import Enrollment

    User = get_user_model()
    busiest = (Enrollment.objects.filter(child__isnull=False).values("district__region_id")
               .annotate(enrollments=Count("id")).order_by("-enrollments")[0]["district__region_id"])
    users = {}
    for role, region in ((Role.REVIEWER, None), (Role.REGIONAL_ADMIN, busiest)):
        user, _ = User.objects.get_or_create(username=f"bench-{role}")
        RoleGrant.objects.get_or_create(user=user, role=role, region_id=region, ended_at=None)
        # Children with enrollments, so that each record has its enrollments to show and draw.
        child_ids = list(scope_for(user).children()
                         .filter(pk__in=Enrollment.objects.filter(child__isnull=False).values("child_id"))
                         .order_by("?").values_list("child_id", flat=True)[:CHILDREN])
        if not child_ids:
            raise SystemExit(f"{user} sees no child with enrollments: is the feed loaded?")
        users[role.label] = (user, child_ids)
    return users


def _cookie(user) -> str:
    """A signed-in session for the user, as the login page would make it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _check(port: int, path: str, cookie: str) -> None:
    """One request first: the page answers 200 to the signed-in user (a login page would measure nothing)."""
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 200 or "/login/" in response.url:
            raise SystemExit(f"{path} answered {response.status} at {response.url}")


def _cpu_seconds(server_pid: int) -> dict:
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


def _wrk(options, paths: list[str], cookie: str, think: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": ", ".join(json.dumps(path) for path in paths), "cookie": cookie,
                                   "think": think})
    try:
        ran = subprocess.run(["wrk", "-t", "2", "-c", str(options.connections), "-d", f"{options.duration}s",
                              "--timeout", "10s", "-s", script.name, f"http://127.0.0.1:{options.port}"],
                             capture_output=True, text=True, check=True)
    finally:
        Path(script.name).unlink()
    return json.loads(ran.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()

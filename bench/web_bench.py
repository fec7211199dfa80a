"""Benchmark of the web pages (issue 6, "Speed"): the consolidated child record page under load.

Target: p95 at most 150 ms at 50 concurrent users, on PostgreSQL with 100,000 certified children and
1,000,000 enrollments, served by `mepsis serve` (gunicorn) and loaded with wrk on the same 2-core machine.

    python bench/make_feed_data.py     # once: writes the orgs, COEs and feed into bench/out/
    python bench/web_bench.py [--reload] [--duration 30] [--connections 50] [--think 1000] [--workers N]

The database is bench/loadtest.py's `mepsis_api_bench` (shared with api_bench.py), loaded once by either
benchmark (init, orgs load, coe import, enrollments ingest: the files of make_feed_data.py) and reused by the
next runs (`--reload` loads it again); each run migrates it first.
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
from pathlib import Path

from loadtest import check, prepare, served, users, wrk
from measure import OUT


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
    results: dict = {"steps": [], "runs": []}
    env = prepare(results, "web-bench", options.reload)
    signed_in = users("bench")
    with served(env, options.port, options.workers) as server:
        for label, (user, child_ids) in signed_in.items():
            paths = [f"/children/{child_id}/" for child_id in child_ids]
            cookie = _cookie(user)
            check(options.port, paths[0], "Cookie", cookie)
            for think in (0, options.think):
                before = _cpu_seconds(server.pid)
                run = wrk(options.port, paths, "Cookie", cookie, options.connections, options.duration, think)
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
    (OUT / "web_results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


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


if __name__ == "__main__":
    main()

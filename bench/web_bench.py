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

from loadtest import check, measured, prepare, report, served, users
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
                run = measured(server, options.port, paths, "Cookie", cookie, options.connections, options.duration,
                               think)
                run.update(what="child record page", client=str(label), children=len(paths),
                           workers=options.workers)
                results["runs"].append(run)
                report(run)
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


if __name__ == "__main__":
    main()

import time

from django.db import connection

from mepsis.access.audit import cli_actor
from mepsis.cli import MepsisCommand
from mepsis.demo import build_demo_state, demo_database_path
from mepsis.web.server import default_workers, serve


class Command(MepsisCommand):
    help = ("Build a synthetic demo state in its own SQLite file (var/demo.sqlite3, never your configured "
            "database), with one user per role, and serve it.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--no-serve", action="store_true", help="build the demo state and stop")

    def run(self, host, port, workers, no_serve, **options) -> int:
        path = demo_database_path()
        if connection.settings_dict["NAME"] != str(path):
            self.say(f"mepsis demo: the demo builds its own database, {path}; it is run as `mepsis demo`.")
            return 2
        started = time.perf_counter()
        # A fresh state each time: the demo is for looking around, and what was changed in it goes.
        connection.close()
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        self.say(f"Building the demo state in {path} ...")
        state = build_demo_state(actor=cli_actor())
        feed = state.feed
        self.say(f"{state.districts} districts, {state.schools} schools; COEs "
                 + ", ".join(f"{count} {status}" for status, count in sorted(state.coes.items()))
                 + f"; a feed of {feed['rows']} enrollments ingested: {feed['matched_auto']} linked to certified "
                   f"children, {feed['matched_review']} possible matches to decide, {feed['alerts']} alerts "
                   f"({time.perf_counter() - started:.0f} s).")
        self.say("Sign in as (user / password, role):")
        for user in state.users:
            where = f" in {user.where}" if user.where else ""
            self.say(f"  {user.username:<26} {user.password:<28} {user.role}{where}")
        if no_serve:
            return 0
        self.say(f"Open http://{host}:{port}/ (Ctrl-C stops it).")
        serve(host, port, workers)
        return 0

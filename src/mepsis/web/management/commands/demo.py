from django.core.management import call_command
from django.db import connection

from mepsis.access.audit import cli_actor
from mepsis.cli import MepsisCommand
from mepsis.demo import DEMO_ADMIN, load_sample_state


class Command(MepsisCommand):
    help = "Set up a demo database with a sample state (its own SQLite file under var/) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-serve", action="store_true", help="load the sample state and stop")

    def run(self, host, port, no_serve, **options) -> int:
        loaded = load_sample_state(actor=cli_actor())
        orgs, coes = loaded["orgs"], loaded["coes"]
        self.say(f"Demo database: {connection.settings_dict['NAME']}")
        self.say(f"Sample state: {orgs['districts_created']} districts and {orgs['schools_created']} schools new; "
                 f"{coes['created']} COEs new, {coes['unchanged']} already there.")
        if no_serve:
            return 0
        username, password = DEMO_ADMIN
        self.say(f"Open http://{host}:{port}/admin/ and sign in as {username} / {password} (state administrator).")
        call_command("runserver", f"{host}:{port}", use_reloader=False)
        return 0

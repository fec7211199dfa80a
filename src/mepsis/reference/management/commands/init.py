from django.core.management import call_command
from django.db import connection

from mepsis.access.audit import cli_actor
from mepsis.cli import MepsisCommand
from mepsis.reference.actions import load_descriptors


class Command(MepsisCommand):
    help = "Create or migrate the database and load the reference data (Ed-Fi descriptors)."

    def run(self, **options) -> int:
        call_command("migrate", interactive=False, verbosity=0)
        loaded = load_descriptors(actor=cli_actor())
        self.say(f"Database ready ({connection.vendor}: {connection.settings_dict['NAME']}); "
                 f"{loaded} reference values loaded or updated.")
        return 0

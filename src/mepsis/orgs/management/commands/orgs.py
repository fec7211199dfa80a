import json
from pathlib import Path

from mepsis.access.audit import cli_actor
from mepsis.cli import EXIT_CANNOT_RUN, EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand
from mepsis.orgs.actions import COLUMNS, Unreadable, load_orgs


class Command(MepsisCommand):
    help = "Load or update the state's districts, schools and regions from a CSV file."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("load", help="load districts and schools (idempotent)",
                                  description=f"Load districts and schools from a CSV file with the columns "
                                              f"{', '.join(COLUMNS)} and optionally edfi_id. One row a school; a "
                                              f"row with an empty school_id names a district alone.")
        load.add_argument("file", type=Path, help="the CSV file")
        load.add_argument("--format", choices=("text", "json"), default="text")

    def run(self, action, file, format, **options) -> int:
        try:
            report = load_orgs(file, actor=cli_actor())
        except Unreadable as error:
            self.say(str(error))
            return EXIT_CANNOT_RUN
        for refusal in report.refused:
            self.say(refusal)
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict()))
        else:
            self.say(f"{file}: {report.rows} rows: {report.districts_created} districts created, "
                     f"{report.districts_updated} updated; {report.schools_created} schools created, "
                     f"{report.schools_updated} updated; {report.unchanged} unchanged; "
                     f"{len(report.refused)} refused.")
        return EXIT_INPUT_ERRORS if report.refused else EXIT_OK

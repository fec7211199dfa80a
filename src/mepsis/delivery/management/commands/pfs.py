import datetime as dt
import json
from pathlib import Path

from django.utils.translation import gettext as _

from mepsis.access.audit import cli_actor
from mepsis.cli import EXIT_CANNOT_RUN, EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand
from mepsis.delivery.actions import (
    PFS_COLUMNS,
    active_rule_set,
    determine_pfs,
    import_pfs_indicators,
    read_csv_file,
    set_pfs_criteria,
)
from mepsis.enrollments.feed import FeedUnreadable
from mepsis.registry.actions import ActionRefused

SHOWN_REFUSALS = 20


class Command(MepsisCommand):
    help = "Priority for services: the at-risk criteria, the indicators they read, and the determinations."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        importing = actions.add_parser(
            "import", help="import PFS indicators (CSV: " + ", ".join(PFS_COLUMNS) + ")",
            description="Import the data the PFS criteria read: one value per state student id, indicator and "
                        "date. The same file again changes nothing; PFS is determined again (today) for the "
                        "children whose indicators changed.")
        importing.add_argument("file", type=Path)
        importing.add_argument("--format", choices=("text", "json"), default="text")
        criteria = actions.add_parser(
            "criteria", help="show the state's at-risk criteria, or set a new version of them",
            description="Without --set, print the active rule set (JSON). With --set FILE.json, save that rule "
                        "set as a new version (the old ones are kept) and make it the active one.")
        criteria.add_argument("--set", dest="set_file", type=Path, metavar="FILE.json")
        criteria.add_argument("--why", default="", metavar="TEXT")
        determine = actions.add_parser(
            "determine", help="determine PFS on a date for every certified child",
            description="Determine PFS on a date (default today) for every child with an approved COE; a child "
                        "whose inputs and rule set are those of their last determination for that date keeps it.")
        determine.add_argument("--on", type=dt.date.fromisoformat, metavar="DATE")

    def run(self, action, **options) -> int:
        return getattr(self, f"run_{action}")(**options)

    def run_import(self, file, format, **options) -> int:
        try:
            rows = read_csv_file(file, PFS_COLUMNS, PFS_COLUMNS)
        except FeedUnreadable as error:
            self.say(str(error))
            return EXIT_CANNOT_RUN
        report = import_pfs_indicators(rows, actor=cli_actor(), file_name=str(file))
        for line, reason in report.refused[:SHOWN_REFUSALS]:
            self.say(f"{file}:{line}: {reason}")
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict()))
        self.say(_("%(file)s: %(rows)s rows: %(accepted)s accepted (%(new)s new, %(updated)s updated, %(unchanged)s "
                   "unchanged), %(rejected)s refused.") % {"file": file, **report.as_dict()})
        return EXIT_INPUT_ERRORS if report.rejected else EXIT_OK

    def run_criteria(self, set_file, why, **options) -> int:
        if set_file is None:
            rule_set = active_rule_set(actor=cli_actor())
        else:
            try:
                criteria = json.loads(set_file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                self.say(f"{set_file}: {error}")
                return EXIT_CANNOT_RUN
            try:
                rule_set = set_pfs_criteria(criteria, actor=cli_actor(), why=why)
            except ActionRefused as error:
                self.say(f"{set_file}: {error}")
                for problem in error.errors:
                    self.say(f"  {problem['message']}")
                return EXIT_INPUT_ERRORS
        self.stdout.write(json.dumps({"version": rule_set.version, **rule_set.criteria}, indent=2,
                                     ensure_ascii=False))
        return EXIT_OK

    def run_determine(self, on, **options) -> int:
        report = determine_pfs(on=on, actor=cli_actor())
        self.stdout.write(json.dumps(report.as_dict()))
        return EXIT_OK

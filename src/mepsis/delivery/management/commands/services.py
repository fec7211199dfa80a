import datetime as dt
import json
from pathlib import Path

from django.utils.translation import gettext as _

from mepsis.access.audit import cli_actor
from mepsis.cli import EXIT_CANNOT_RUN, EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand
from mepsis.delivery import servicefile
from mepsis.delivery.actions import end_continuation, read_csv_file, record_continuation, record_services
from mepsis.delivery.models import ContinuationReason
from mepsis.enrollments.feed import FeedUnreadable
from mepsis.registry.actions import ActionRefused
from mepsis.rules.services import EDFI_CONTINUATION

SHOWN_REFUSALS = 20


def a_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def a_reason(text: str) -> str:
    """A reason by its code (SCHOOL_TERM) or its Ed-Fi code value ("Ceased to be migratory during school term")."""
    for code, edfi in EDFI_CONTINUATION.items():
        if text.strip().upper() == code or text.strip().casefold() == edfi.casefold():
            return code
    raise ValueError(text)


class Command(MepsisCommand):
    help = "Import MEP services delivered; record and end continuations of services."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        importing = actions.add_parser(
            "import", help="import services delivered (CSV); the same file again changes nothing",
            description="Import MEP services (CSV with the columns " + ", ".join(servicefile.COLUMNS) + "). A "
                        "service is refused unless the child is eligible on all its days, or served under a "
                        "continuation of services; instructional services need hours. An unknown project_id "
                        "creates the project with the row's session type. Exit 0 when every row was taken, 1 when "
                        "some were refused, 2 when the file cannot be read.")
        importing.add_argument("file", type=Path)
        importing.add_argument("--format", choices=("text", "json"), default="text")
        continuing = actions.add_parser(
            "continue", help="record a continuation of services for a child whose eligibility ended",
            description="Record that a child whose eligibility ended may still be served (ESEA 1304(e)), for "
                        "one of the reasons: " + ", ".join(f"{code} ({edfi})" for code, edfi in
                                                           EDFI_CONTINUATION.items()) + ".")
        continuing.add_argument("child_id", metavar="CHILD_ID")
        continuing.add_argument("--reason", required=True, type=a_reason, metavar="R",
                                help=", ".join(ContinuationReason.values))
        continuing.add_argument("--from", dest="begin", required=True, type=a_date, metavar="DATE")
        continuing.add_argument("--to", dest="end", required=True, type=a_date, metavar="DATE")
        continuing.add_argument("--why", required=True, metavar="TEXT")
        ending = actions.add_parser("end-continuation", help="end a continuation of services early (kept, not deleted)")
        ending.add_argument("continuation_id", type=int, metavar="CONTINUATION_ID")
        ending.add_argument("--on", required=True, type=a_date, metavar="DATE", help="its last day")
        ending.add_argument("--why", required=True, metavar="TEXT")

    def run(self, action, **options) -> int:
        return getattr(self, f"run_{action.replace('-', '_')}")(**options)

    def run_import(self, file, format, **options) -> int:
        try:
            rows = read_csv_file(file, servicefile.COLUMNS, servicefile.REQUIRED)
        except FeedUnreadable as error:
            self.say(str(error))
            return EXIT_CANNOT_RUN
        report = record_services(rows, actor=cli_actor(), source=str(file))
        for line, reason in report.refused[:SHOWN_REFUSALS]:
            self.say(f"{file}:{line}: {reason}")
        if len(report.refused) > SHOWN_REFUSALS:
            self.say(_("... and %(count)s more refusals.") % {"count": len(report.refused) - SHOWN_REFUSALS})
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict()))
        self.say(_("%(file)s: %(rows)s rows: %(accepted)s accepted (%(new)s new, %(updated)s updated, %(unchanged)s "
                   "unchanged), %(rejected)s refused; %(projects)s new projects; %(seconds)s s.")
                 % {"file": file, **report.as_dict(), "projects": report.projects_created})
        return EXIT_INPUT_ERRORS if report.rejected else EXIT_OK

    def run_continue(self, child_id, reason, begin, end, why, **options) -> int:
        try:
            continuation = record_continuation(child_id, reason=reason, begin=begin, end=end, actor=cli_actor(),
                                               why=why)
        except ActionRefused as error:
            self.say(str(error))
            for problem in error.errors:
                self.say(f"  {problem['field']}: {problem['message']}")
            return EXIT_INPUT_ERRORS
        self.stdout.write(json.dumps({"continuation_id": continuation.pk, "child_id": child_id, "reason": reason,
                                      "begin_date": begin.isoformat(), "end_date": end.isoformat()}))
        return EXIT_OK

    def run_end_continuation(self, continuation_id, on, why, **options) -> int:
        try:
            end_continuation(continuation_id, on=on, actor=cli_actor(), why=why)
        except ActionRefused as error:
            self.say(str(error))
            return EXIT_INPUT_ERRORS
        return EXIT_OK

import json
import sys
import time

from django.db import DatabaseError
from django.utils.translation import gettext

from mepsis.access.audit import cli_actor
from mepsis.cli import EXIT_CANNOT_RUN, EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand, counted, progress
from mepsis.registry.actions import check, known_district_ids, save_coes
from mepsis.registry.models import CoeStatus
from mepsis.registry.queries import iter_documents
from mepsis.registry.reading import Unreadable, read_documents
from mepsis.rules import Finding


class Command(MepsisCommand):
    help = "Check, import and export Certificates of Eligibility (COE documents in JSON)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check_parser = actions.add_parser(
            "check", help="validate COEs and determine eligibility, saving nothing",
            description="Validate COE documents (one JSON document, a JSON array, or JSON lines; - reads standard "
                        "input) and determine each child's eligibility. Saves nothing. Exit 0 when every COE is "
                        "eligible, 1 when any has an error, 2 when the file cannot be read.")
        check_parser.add_argument("file", help="the COE file, or - for standard input")
        check_parser.add_argument("--format", choices=("text", "json"), default="text",
                                  help="json: a JSON array of results in input order (default: a readable list)")
        import_parser = actions.add_parser(
            "import", help="import COEs with the status each carries (a legacy migration)",
            description="Import COE documents with the status each carries. An approved COE must pass every rule; "
                        "a COE in another status is kept with its findings but must be complete and readable. "
                        "Invalid COEs are refused with their errors (exit 1) and change nothing; re-importing an "
                        "unchanged coe_id changes nothing; a changed one becomes a new version. A child_id links "
                        "the child to an existing child. One transaction per batch: an interrupted import is "
                        "finished by running it again.")
        import_parser.add_argument("file", help="the COE file, or - for standard input")
        import_parser.add_argument("--format", choices=("text", "json"), default="text")
        export_parser = actions.add_parser(
            "export", help="write COEs in the same format, with child_id on every child",
            description="Write every COE as a JSON line, ordered by coe_id, with child_id on every child.")
        export_parser.add_argument("--format", choices=("jsonl",), default="jsonl")
        export_parser.add_argument("--status", choices=CoeStatus.values, help="only COEs with this status")
        export_parser.add_argument("--out", help="the file to write (default: standard output)")

    def run(self, action, **options) -> int:
        try:
            return getattr(self, f"run_{action}")(**options)
        except Unreadable as error:
            self.say(str(error))
            return EXIT_CANNOT_RUN

    def run_check(self, file, format, **options) -> int:
        try:
            known_districts = known_district_ids()
        except DatabaseError:
            known_districts = None
            self.say("note: no database, so to.district_id is not checked against the state's districts.")
        out = self.stdout
        counts = {"coes": 0, "eligible": 0, "with_errors": 0}
        if format == "json":
            out.write("[", ending="")
        for position, document in read_documents(file):
            if isinstance(document, Finding):
                result = {"coe_id": None, "eligible": False, "errors": [document.as_dict(gettext)], "warnings": [],
                          "children": []}
                has_errors = True
            else:
                checked = check(document, known_districts)
                result, has_errors = checked.as_dict(gettext), checked.has_errors
            counts["coes"] += 1
            counts["eligible"] += result["eligible"]
            counts["with_errors"] += has_errors
            if format == "json":
                out.write(("," if counts["coes"] > 1 else "") + "\n" + json.dumps({"source": position, **result},
                                                                                  ensure_ascii=False), ending="")
            else:
                out.write(_readable(position, result))
        if format == "json":
            out.write("\n]")
        self.say(f"{counts['coes']} COEs checked: {counts['eligible']} eligible, {counts['with_errors']} with errors.")
        return EXIT_INPUT_ERRORS if counts["with_errors"] else EXIT_OK

    def run_import(self, file, format, **options) -> int:
        started = time.perf_counter()
        with progress("Importing COEs") as update:
            report = save_coes(counted(read_documents(file), update), actor=cli_actor(), why=f"imported from {file}")
        seconds = round(time.perf_counter() - started, 2)
        for refusal in report.refused:
            for error in refusal.errors:
                self.say(f"{refusal.position}: {refusal.coe_id or '(no coe_id)'}: {error['field'] or '-'}: "
                         f"{error['message']} [{error['code']}]")
        if format == "json":
            self.stdout.write(json.dumps({**report.as_dict(), "seconds": seconds, "refusals": [
                {"source": r.position, "coe_id": r.coe_id, "errors": r.errors} for r in report.refused]},
                ensure_ascii=False))
        self.say(f"{file}: {report.read} COEs read: {report.created} created, {report.changed} changed (new "
                 f"version), {report.unchanged} unchanged, {len(report.refused)} refused; "
                 f"{report.children_created} new children; {seconds} s.")
        return EXIT_INPUT_ERRORS if report.refused else EXIT_OK

    def run_export(self, format, status, out, **options) -> int:
        handle = open(out, "w", encoding="utf-8") if out else sys.stdout
        written = 0
        try:
            for document in iter_documents(status=status):
                handle.write(json.dumps(document, ensure_ascii=False) + "\n")
                written += 1
        finally:
            if out:
                handle.close()
        self.say(f"{written} COEs exported{f' to {out}' if out else ''}.")
        return EXIT_OK


def _readable(position: str, result: dict) -> str:
    verdict = "eligible" if result["eligible"] else "NOT ELIGIBLE"
    children = result["children"]
    lines = [f"{position}  {result['coe_id'] or '(no coe_id)'}  {verdict}  "
             f"({sum(child['eligible'] for child in children)} of {len(children)} children eligible)"]
    for level, findings in (("error", result["errors"]), ("warning", result["warnings"])):
        lines += [f"    {level}: {finding['field'] or '-'}: {finding['message']} [{finding['code']}]"
                  for finding in findings]
    for child in children:
        lines += [f"    error: {error['field']}: {error['message']} [{error['code']}]" for error in child["errors"]]
    return "\n".join(lines)

import json
from pathlib import Path

import polars as pl

from mepsis.access.audit import cli_actor
from mepsis.cli import EXIT_CANNOT_RUN, EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand, progress
from mepsis.enrollments.actions import ingest_feed
from mepsis.enrollments.feed import COLUMNS, FeedUnreadable

SHOWN_REFUSALS = 20
STAGES = ("reading", "checking", "storing", "linking", "alerting", "publishing", "saving")


class Command(MepsisCommand):
    help = "Ingest a nightly enrollment feed: check, store, match to certified children, raise alerts."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        ingest = actions.add_parser(
            "ingest", help="ingest a feed (CSV or JSON lines); the same feed again changes nothing",
            description="Ingest an enrollment feed (CSV with a header, UTF-8 with or without BOM, or JSON lines). "
                        "Every row is checked; a bad row is refused with its line and reasons, the others are "
                        "stored, matched to certified children, and raise Migrant Student Enrollment Alerts. "
                        "Exit 0 when every row was taken, 1 when some were refused, 2 when the file cannot be read.")
        ingest.add_argument("file", type=Path)
        ingest.add_argument("--source", default="", help="who sent the feed (a district's SIS, the state's hub)")
        ingest.add_argument("--rejects", type=Path, help="write the refused rows, with their reasons, to this CSV file")
        ingest.add_argument("--format", choices=("text", "json"), default="text")

    def run(self, action, file, source, rejects, format, **options) -> int:
        try:
            report = self._ingest(file, source)
        except FeedUnreadable as error:
            self.say(str(error))
            return EXIT_CANNOT_RUN
        refused = report.refused
        for line, reasons in refused.head(SHOWN_REFUSALS).select("line", "reasons").iter_rows():
            self.say(f"{file}:{line}: {'; '.join(reasons)}")
        if refused.height > SHOWN_REFUSALS:
            self.say(f"... and {refused.height - SHOWN_REFUSALS} more refused rows"
                     + (f" (all are in {rejects})." if rejects else "; --rejects FILE writes them all."))
        if rejects:
            refused.with_columns(pl.col("reasons").list.join("; ")).select("line", "reasons", *COLUMNS) \
                .write_csv(rejects)
        summary = report.as_dict()
        if format == "json":
            self.stdout.write(json.dumps(summary))
        self.say(f"{file}: {report.rows} rows: {report.accepted} accepted ({report.new} new, {report.updated} updated, "
                 f"{report.unchanged} unchanged), {report.rejected} refused; {report.matched_auto} matched to "
                 f"certified children, {report.matched_review} for review; {report.alerts} alerts; {report.seconds} s.")
        return EXIT_INPUT_ERRORS if report.rejected else EXIT_OK

    def _ingest(self, file, source):
        with progress("Ingesting", total=len(STAGES)) as update:
            return ingest_feed(file, source=source, actor=cli_actor(),
                               on_stage=lambda stage: update(STAGES.index(stage), stage))

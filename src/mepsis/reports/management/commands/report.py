import csv
import json

from django.utils import timezone
from django.utils.translation import gettext

from mepsis.cli import EXIT_CANNOT_RUN, EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand
from mepsis.orgs.models import District
from mepsis.registry.models import Child
from mepsis.reports import child_count as counts
from mepsis.reports import dashboards, edfacts
from mepsis.rules.periods import parse_year_name, performance_period

LIST_FIELDS = ("category", "child_id", "state_student_id", "day", "coe_id", "service", "project_id",
               "service_begin_date", "age_grade")


def period(text: str) -> str:
    import argparse

    if parse_year_name(text) is None:
        raise argparse.ArgumentTypeError(gettext("%(value)r is not a performance period like 2024-25")
                                         % {"value": text})
    return text


class Command(MepsisCommand):
    help = "Federal reports: the Category 1 and 2 child counts, EDFacts files."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        count = actions.add_parser(
            "child-count", help=gettext("Category 1 and Category 2 child counts of a performance period"),
            description=gettext(
                "The Category 1 and Category 2 child counts of a performance period (September 1 to August 31), "
                "with their age/grade breakdown. Below the state (--district, --region) small cells are "
                "suppressed (MEPSIS_SMALL_CELL, default 10): a hidden count is null. --explain says why one child "
                "is or is not counted; --list writes every counted child, for reconciliation with MSIX."))
        count.add_argument("--period", type=period, required=True, help=gettext("the period, like 2024-25"))
        count.add_argument("--format", choices=("json", "csv"), default="json")
        count.add_argument("--district", metavar="ID", action="append",
                           help=gettext("only children counted through COEs to this district (repeatable)"))
        count.add_argument("--region", metavar="NAME", help=gettext("only the districts of this region"))
        count.add_argument("--explain", metavar="CHILD_ID", help=gettext("why this child is or is not counted"))
        count.add_argument("--list", metavar="FILE", dest="list_file",
                           help=gettext("write every counted child to this CSV file ('-': standard output)"))
        refresh = actions.add_parser(
            "refresh-counts", help=gettext("count again the child counts the dashboards keep"),
            description=gettext(
                "Count every child again for the counts over time the dashboards keep (by default the periods "
                "they show). The writes that change a count keep them up to date; this is for a change made "
                "another way (a district moved to another region, data loaded directly)."))
        refresh.add_argument("--period", type=period, action="append", dest="periods",
                             help=gettext("a period to count again (repeatable)"))
        files = actions.add_parser(
            "edfacts", help=gettext("an EDFacts file of a performance period"),
            description=gettext("Write an EDFacts file (FS121, FS054, FS145, FS165, FS122) laid out as ED's "
                                "file specifications give it; FS122 only for periods before 2022-23."))
        files.add_argument("file", choices=sorted(edfacts.FILES), metavar="FILE_SPEC",
                           help=" | ".join(sorted(edfacts.FILES)))
        files.add_argument("--period", type=period, required=True, help=gettext("the period, like 2024-25"))
        files.add_argument("--out", required=True, metavar="FILE",
                           help=gettext("the file to write; its name goes in the header (25 characters at most)"))
        files.add_argument("--format", choices=edfacts.FORMATS, default="csv")

    def run(self, action, **options) -> int:
        return getattr(self, f"run_{action.replace('-', '_')}")(**options)

    def run_child_count(self, period, format, district, region, explain, list_file, **options) -> int:
        districts = None
        if district or region:
            known = District.objects.filter(district_id__in=district or [])
            if region:
                known = District.objects.filter(region__name=region) | known
            districts = sorted(set(known.values_list("district_id", flat=True)))
            missing = sorted(set(district or []) - set(districts))
            if missing or (region and not districts):
                self.say(gettext("There is no district %(district)s; `mepsis orgs load` loads them.")
                         % {"district": ", ".join(missing) or region})
                return EXIT_INPUT_ERRORS
        if explain:
            child = Child.objects.filter(child_id=explain).first()
            if child is None:
                self.say(gettext("There is no child %(child)s.") % {"child": explain})
                return EXIT_INPUT_ERRORS
            self.stdout.write(json.dumps(counts.explain(child, period), ensure_ascii=False, indent=2))
            return EXIT_OK
        if list_file:
            return self._write_list(period, districts, list_file)
        result = counts.child_count(period, districts=districts)
        document = result.as_dict() if districts is None else counts.suppressed(result)
        if districts is not None:
            document["districts"] = districts
        if format == "json":
            self.stdout.write(json.dumps(document))
        else:
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(["period", "category", "age_grade", "count"])
            for category in (counts.CATEGORY_1, counts.CATEGORY_2):
                for age_grade, number in document["by_age_grade"][category].items():
                    writer.writerow([period, category, age_grade, "" if number is None else number])
                writer.writerow([period, category, "TOTAL", "" if document[category] is None else document[category]])
        return EXIT_OK

    def _write_list(self, period, districts, list_file) -> int:
        rows = [*counts.counted_children(period, counts.CATEGORY_1, districts=districts),
                *counts.counted_children(period, counts.CATEGORY_2, districts=districts)]
        services = counts.services_named([row.service_pk for row in rows if row.service_pk])
        if list_file == "-":
            self._list_rows(self.stdout, rows, services)
        else:
            try:
                with open(list_file, "w", newline="", encoding="utf-8") as handle:
                    self._list_rows(handle, rows, services)
            except OSError as error:
                self.say(gettext("Cannot write %(file)s: %(error)s") % {"file": list_file, "error": error.strerror})
                return EXIT_CANNOT_RUN
        totals = {category: sum(row.category == category for row in rows)
                  for category in (counts.CATEGORY_1, counts.CATEGORY_2)}
        self.say(gettext("%(file)s: %(one)d children in Category 1, %(two)d in Category 2.")
                 % {"file": list_file, "one": totals[counts.CATEGORY_1], "two": totals[counts.CATEGORY_2]})
        return EXIT_OK

    @staticmethod
    def _list_rows(handle, rows, services) -> None:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(LIST_FIELDS)
        for row in rows:
            writer.writerow([row.category, row.child_id, row.state_student_id or "", row.day.isoformat(),
                             row.coe_id, *services.get(row.service_pk, ("", "", "")), row.age_grade])

    def run_refresh_counts(self, periods, **options) -> int:
        periods = sorted(set(periods or dashboards.periods_shown(timezone.localdate())))
        dashboards.refresh_counts(periods=periods)
        self.say(gettext("Counted again: %(periods)s.") % {"periods": ", ".join(periods)})
        return EXIT_OK

    def run_edfacts(self, file, period, out, format, **options) -> int:
        try:
            written = edfacts.write(file, performance_period(period), out, format)
        except edfacts.CannotWrite as error:
            self.say(str(error))
            return EXIT_CANNOT_RUN
        for warning in written.warnings:
            self.say(warning)
        self.say(gettext("%(file)s: %(records)d records (%(spec)s).")
                 % {"file": out, "records": written.records, "spec": written.spec})
        return EXIT_OK

import argparse
import csv
import datetime as dt
import json
import sys

from django.utils import timezone
from django.utils.translation import gettext

from mepsis.cli import EXIT_CANNOT_RUN, EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand
from mepsis.orgs.models import District
from mepsis.reports.queries import MIGRANT_LIST_FIELDS, migrant_list
from mepsis.reports.smepa import NoEdfiId, iter_smepa, sea_edfi_id


def timestamp(text: str) -> dt.datetime:
    """An ISO 8601 date and time; without a time zone, it is the state's time (MEPSIS_TIME_ZONE)."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext("%(value)r is not an ISO 8601 timestamp like 2025-09-01T02:00:00-05:00") % {"value": text})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(gettext("%(value)r is not a date like 2025-09-01") % {"value": text})


class Command(MepsisCommand):
    help = "Export what the state publishes to districts: Ed-Fi SMEPA records, district migrant lists."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        smepa = actions.add_parser(
            "smepa", help=gettext("the Ed-Fi SMEPA records, one JSON object a line"),
            description=gettext(
                "Write the Ed-Fi Student Migrant Education Program Association records (Data Standard 5.2, "
                "the body a SIS or an ODS accepts on POST), one JSON object a line. Without --since, every "
                "record that holds; with it, the records changed at or after that time, and the records "
                "withdrawn since then are counted and, with --withdrawn FILE, written there as "
                '{"withdrawn": true, "key": {...}} lines (the Ed-Fi key to delete). A record whose district '
                "has no Ed-Fi id is not written, and the district is named (exit 1)."))
        smepa.add_argument("--district", metavar="ID", help=gettext("only this district (its district_id)"))
        smepa.add_argument("--since", type=timestamp, metavar="TIMESTAMP",
                           help=gettext("only records changed at or after this time (ISO 8601; without a time "
                                             "zone, the state's time)"))
        smepa.add_argument("--format", choices=("edfi-json",), default="edfi-json")
        smepa.add_argument("--out", metavar="FILE", help=gettext("the file to write (default: standard output)"))
        smepa.add_argument("--withdrawn", metavar="FILE",
                           help=gettext("write the keys of withdrawn records to this file"))
        listing = actions.add_parser(
            "migrant-list", help=gettext("a district's enrolled eligible children, with free-meals flags"),
            description=gettext(
                "The district's children who are enrolled and eligible on a day, with their eligibility dates. "
                "Every certified migratory child is categorically eligible for free school meals; fix_in_sis "
                "is true when the district's SIS does not say so (free_reduced_lunch N or empty)."))
        listing.add_argument("--district", metavar="ID", required=True, help=gettext("the district_id"))
        listing.add_argument("--format", choices=("csv", "json"), default="csv")
        listing.add_argument("--on", type=day, metavar="DATE", help=gettext("the day (default: today)"))
        listing.add_argument("--out", metavar="FILE", help=gettext("the file to write (default: standard output)"))

    def run(self, action, **options) -> int:
        return getattr(self, f"run_{action.replace('-', '_')}")(**options)

    def _district(self, district_id: str) -> District | None:
        district = District.objects.filter(district_id=district_id).first()
        if district is None:
            self.say(gettext("There is no district %(district)s; `mepsis orgs load` loads them.")
                     % {"district": district_id})
        return district

    def run_smepa(self, district, since, out, withdrawn, **options) -> int:
        if district is not None and self._district(district) is None:
            return EXIT_INPUT_ERRORS
        try:
            sea_id = sea_edfi_id()
        except NoEdfiId as error:
            self.say(str(error))
            return EXIT_CANNOT_RUN
        written = withdrawals = 0
        newest = None
        refused: dict[str, tuple[str, int]] = {}
        handle = open(out, "w", encoding="utf-8") if out else sys.stdout
        withdrawn_handle = open(withdrawn, "w", encoding="utf-8") if withdrawn else None
        try:
            for item in iter_smepa(district, since, sea_id=sea_id):
                newest = item.record.updated_at
                if item.problem:
                    message, count = refused.get(item.record.district.district_id, (item.problem, 0))
                    refused[item.record.district.district_id] = (message, count + 1)
                elif item.withdrawal:
                    withdrawals += 1
                    if withdrawn_handle:
                        withdrawn_handle.write(json.dumps(item.withdrawal, ensure_ascii=False) + "\n")
                else:
                    handle.write(json.dumps(item.body, ensure_ascii=False) + "\n")
                    written += 1
        finally:
            if out:
                handle.close()
            if withdrawn_handle:
                withdrawn_handle.close()
        for message, count in refused.values():
            self.say(gettext("%(message)s %(count)s records not written.") % {"message": message, "count": count})
        summary = gettext("%(written)s SMEPA records written.") % {"written": written}
        if since is not None:
            summary += " " + (gettext("%(count)s withdrawn, written to %(file)s.") if withdrawn else gettext(
                "%(count)s withdrawn (--withdrawn FILE writes their keys).")) % {"count": withdrawals, "file": withdrawn}
        if newest is not None:
            summary += " " + gettext("The newest change is of %(stamp)s: pass it as --since next time.") % {
                "stamp": timezone.localtime(newest).isoformat()}
        self.say(summary)
        return EXIT_INPUT_ERRORS if refused else EXIT_OK

    def run_migrant_list(self, district, format, on, out, **options) -> int:
        found = self._district(district)
        if found is None:
            return EXIT_INPUT_ERRORS
        on = on or timezone.localdate()
        rows = [row.as_dict() for row in migrant_list(found, on)]
        handle = open(out, "w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            if format == "json":
                handle.write(json.dumps({"district_id": found.district_id, "on": on.isoformat(), "children": rows},
                                        ensure_ascii=False, default=_iso) + "\n")
            else:
                writer = csv.DictWriter(handle, fieldnames=MIGRANT_LIST_FIELDS, lineterminator="\n")
                writer.writeheader()
                writer.writerows({name: _csv(value) for name, value in row.items()} for row in rows)
        finally:
            if out:
                handle.close()
        flagged = sum(row["fix_in_sis"] for row in rows)
        self.say(gettext("%(district)s on %(on)s: %(count)s enrolled eligible children, %(flagged)s to record as "
                         "eligible for free meals in the SIS.")
                 % {"district": found.district_id, "on": on.isoformat(), "count": len(rows), "flagged": flagged})
        return EXIT_OK


def _iso(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value))


def _csv(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value

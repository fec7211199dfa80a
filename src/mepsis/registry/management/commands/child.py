import datetime as dt
import json

from django.utils import timezone

from mepsis.access import audit
from mepsis.access.audit import cli_actor
from mepsis.cli import EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand
from mepsis.registry.models import Child
from mepsis.registry.queries import eligibility_intervals, eligible_on


class Command(MepsisCommand):
    help = "Look up a child in the registry: eligibility on a day and the intervals each COE gives."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        eligibility = actions.add_parser(
            "eligibility", help="whether a child is eligible on a day, and the intervals",
            description="Whether a child is eligible on a day (from all its approved, not void COEs), with "
                        "every COE that lists the child and the interval it gives.")
        eligibility.add_argument("child_id")
        eligibility.add_argument("--on", type=dt.date.fromisoformat, help="the day, YYYY-MM-DD (default: today)")
        eligibility.add_argument("--format", choices=("text", "json"), default="text")

    def run(self, action, child_id, on, format, **options) -> int:
        on = on or timezone.localdate()
        child = Child.objects.filter(child_id=child_id).first()
        if child is None:
            self.say(f"There is no child {child_id} in the registry.")
            return EXIT_INPUT_ERRORS
        intervals = eligibility_intervals(child)
        audit.record(cli_actor(), "child.eligibility_viewed", "child", child.child_id, after={"on": on.isoformat()})
        answer = {
            "child_id": child.child_id,
            "on": on.isoformat(),
            "eligible": eligible_on(intervals, on),
            "intervals": [
                {"coe_id": i.coe_id, "status": i.status, "void_reason": i.void_reason or None, "counts": i.counts,
                 "eligibility_start": i.start.isoformat() if i.start else None,
                 "last_eligible_day": i.last_eligible_day.isoformat() if i.last_eligible_day else None,
                 "end_reason": i.end_reason or None}
                for i in intervals
            ],
        }
        if format == "json":
            self.stdout.write(json.dumps(answer))
            return EXIT_OK
        name = f"{child.first_name} {child.last_name_1} {child.last_name_2}".strip()
        self.stdout.write(f"{child.child_id} {name}, born {child.birth_date}: "
                          f"{'ELIGIBLE' if answer['eligible'] else 'not eligible'} on {on}.")
        for i in answer["intervals"]:
            span = f"{i['eligibility_start']} .. {i['last_eligible_day']}" if i["eligibility_start"] else "no eligible day"
            note = "" if i["counts"] else f"  (does not count: {i['status']}{' ' + i['void_reason'] if i['void_reason'] else ''})"
            self.stdout.write(f"  {i['coe_id']}: {span}, ends {i['end_reason'] or '-'}{note}")
        return EXIT_OK

import json

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from mepsis.access import audit
from mepsis.access.audit import cli_actor
from mepsis.alerts.actions import acknowledge_alert, unacknowledge_alert
from mepsis.alerts.models import Alert
from mepsis.alerts.queries import alerts
from mepsis.cli import EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand
from mepsis.orgs.models import District
from mepsis.registry.actions import ActionRefused


class Command(MepsisCommand):
    help = "List Migrant Student Enrollment Alerts and the recruiters' alerts; acknowledge them."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        list_parser = actions.add_parser(
            "list", help="the alerts, newest first, with their children",
            description="List the alerts the nightly enrollment feed raised, newest first: one Migrant Student "
                        "Enrollment Alert per district and run listing its new migrant children, and the state "
                        "recruiters' alerts (certified children enrolled; possible new qualifying move: "
                        "re-interview).")
        list_parser.add_argument("--district", metavar="ID", help="only this district's alerts (its district id)")
        list_parser.add_argument("--open", dest="open_only", action="store_true",
                                 help="only the alerts not yet acknowledged")
        list_parser.add_argument("--format", choices=("text", "json"), default="text",
                                 help="json: a JSON array of alerts (default: one readable block per alert)")
        for name, help_text, description in (
                ("acknowledge", "say an alert has been seen and its children reviewed",
                 "Acknowledge an alert, with who and when (audited). An acknowledged alert cannot be "
                 "acknowledged again."),
                ("unacknowledge", "re-open an acknowledged alert",
                 "Withdraw the acknowledgement of an alert, making it open again (audited).")):
            action = actions.add_parser(name, help=help_text, description=description)
            action.add_argument("alert_id", metavar="ALERT_ID", help="the alert's id, as `mepsis alerts list` shows it")

    def run(self, action, **options) -> int:
        return getattr(self, f"run_{action}")(**options)

    def run_list(self, district, open_only, format, **options) -> int:
        if district is not None and not District.objects.filter(district_id=district).exists():
            self.say(gettext("There is no district %(district)s.") % {"district": district})
            return EXIT_INPUT_ERRORS
        found = list(alerts(district_id=district, open_only=open_only))
        # The alerts name children: reading them is written to the audit log, like any read of a child's record.
        audit.record(cli_actor(), "alert.listed", "alert", "", after={
            "district_id": district, "open_only": open_only, "alerts": [alert.pk for alert in found]})
        if format == "json":
            self.stdout.write(json.dumps([_as_dict(alert) for alert in found], ensure_ascii=False))
        else:
            for alert in found:
                self.stdout.write(_readable(alert), ending="\n\n")
        self.say(ngettext("%(count)d alert.", "%(count)d alerts.", len(found)) % {"count": len(found)})
        return EXIT_OK

    def run_acknowledge(self, alert_id, **options) -> int:
        return self._change(acknowledge_alert, alert_id)

    def run_unacknowledge(self, alert_id, **options) -> int:
        return self._change(unacknowledge_alert, alert_id)

    def _change(self, action, alert_id) -> int:
        try:
            alert = action(alert_id, actor=cli_actor())
        except ActionRefused as refusal:
            self.say(str(refusal))
            return EXIT_INPUT_ERRORS
        if alert.acknowledged_at:
            self.say(gettext("Alert %(id)s acknowledged by %(by)s on %(when)s.") % {
                "id": alert.pk, "by": alert.acknowledged_by, "when": _local(alert.acknowledged_at)})
        else:
            self.say(gettext("Alert %(id)s is open again.") % {"id": alert.pk})
        return EXIT_OK


def _as_dict(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "district_id": alert.district.district_id if alert.district else None,
        "run": alert.run_id,
        "raised": alert.created_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by": alert.acknowledged_by or None,
        "children": [
            {"child_id": entry.child.child_id, "state_student_id": entry.child.state_student_id,
             "first_name": entry.child.first_name, "last_name_1": entry.child.last_name_1,
             "school_id": entry.enrollment.school.school_id, "entry_date": entry.enrollment.entry_date.isoformat()}
            for entry in alert.children.all()
        ],
    }


def _readable(alert: Alert) -> str:
    for_whom = str(alert.district) if alert.district else gettext("state recruiters")
    if alert.acknowledged_at:
        state = gettext("acknowledged by %(by)s on %(when)s") % {
            "by": alert.acknowledged_by, "when": _local(alert.acknowledged_at)}
    else:
        state = gettext("OPEN")
    children = list(alert.children.all())
    lines = [
        gettext("Alert %(id)s: %(kind)s, for %(whom)s") % {"id": alert.pk, "kind": alert.get_kind_display(),
                                                         "whom": for_whom},
        "  " + gettext("run %(run)s, raised %(when)s; %(state)s") % {"run": alert.run_id,
                                                                    "when": _local(alert.created_at), "state": state},
        "  " + ngettext("%(count)d child:", "%(count)d children:", len(children)) % {"count": len(children)},
    ]
    for entry in children:
        child, enrollment = entry.child, entry.enrollment
        lines.append("    " + gettext("%(child_id)s  %(name)s  state student id %(ssid)s  school %(school)s  "
                                      "entered %(entry)s") % {
            "child_id": child.child_id, "name": f"{child.first_name} {child.last_name_1}",
            "ssid": child.state_student_id or "-", "school": enrollment.school.school_id,
            "entry": enrollment.entry_date.isoformat()})
    return "\n".join(lines)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")

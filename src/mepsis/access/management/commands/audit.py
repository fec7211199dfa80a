import json

from django.utils.translation import gettext

from mepsis.access.audit import verify_chain
from mepsis.access.models import AuditEvent
from mepsis.cli import EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand, progress


class Command(MepsisCommand):
    help = "Check that the audit log is whole: every event linked to the one before by its hash."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = actions.add_parser(
            "verify", help="walk the hash chain and report the first broken link",
            description="Walk the audit log in order and check each event's hash: over the hash of the event "
                        "before it and its own content. An event changed or removed (by someone who got past "
                        "the database's refusal) breaks the chain there. Exit code 1 when it is broken.")
        verify.add_argument("--format", choices=("text", "json"), default="text")

    def run(self, action, **options) -> int:
        return getattr(self, f"run_{action}")(**options)

    def run_verify(self, format, **options) -> int:
        with progress(gettext("Checking the audit log"), total=AuditEvent.objects.count()) as update:
            checked, broken = verify_chain(update=update)
        if format == "json":
            self.stdout.write(json.dumps({"checked": checked, "intact": broken is None,
                                          "broken_at": broken and broken.event_id,
                                          "reason": broken and broken.reason}))
        if broken is None:
            self.say(gettext("The audit log is intact: %(count)d events checked.") % {"count": checked})
            return EXIT_OK
        reason = {"prev_hash": gettext("it does not follow the event before it (an event was removed or added)"),
                  "hash": gettext("its content does not match its hash (it was changed)")}[broken.reason]
        self.say(gettext("The audit log is broken at event %(id)d: %(reason)s.") % {"id": broken.event_id,
                                                                                   "reason": reason})
        return EXIT_INPUT_ERRORS

"""The navigation bar: one entry per page a role works in, shown when the user's scope allows it.

An area adds its entry here: (URL name, label, the permission of ``Scope.may`` that shows it; None for
every signed-in user).
"""

from django.utils.translation import gettext_lazy as _

NAV = [
    ("home", _("Home"), None),
    ("children", _("Children"), None),
    ("district_alerts", _("Enrollment alerts"), "alert.acknowledge"),
    ("district_migrant_list", _("Migrant list"), "smepa.read"),
    ("district_refer", _("Refer a family"), "referral.create"),
    # The state administrator holds district_users.manage as well as users.manage.
    ("people", _("People"), "district_users.manage"),
    ("audit", _("Audit log"), "audit.read"),
    ("coe_list", _("My COEs"), "coe.write"),
    ("certified_search", _("Certified?"), "coe.write"),
    ("referrals", _("Referrals"), "referral.work"),
    ("review_queue", _("Review queue"), "coe.review"),
    ("worklist", _("Match worklist"), "worklist.decide"),
    ("services", _("Services"), None),
    ("continuation", _("Continuation of services"), "continuation.record"),
    ("pfs_criteria", _("PFS criteria"), "pfs.edit"),
    ("dashboards", _("Dashboards"), "dashboards.read"),
]


def nav_for(request) -> list[tuple[str, str]]:
    if not request.user.is_authenticated:
        return []
    return [(name, label) for name, label, permission in NAV
            if permission is None or request.scope.may(permission)]

"""The home page: for each kind of work the user's roles do, how much of it is waiting."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mepsis.alerts.models import Alert
from mepsis.registry.models import CoeStatus

# (permission, label, how many are waiting: a function of the scope, the address of the page that does the work)
TODO = [
    ("coe.write", _("Returned COEs to answer"),
     lambda scope: scope.coes().filter(status=CoeStatus.RETURNED).count(),
     format_lazy("{}?status=returned", reverse_lazy("coe_list"))),
    ("coe.write", _("Draft COEs to finish"),
     lambda scope: scope.coes().filter(status=CoeStatus.DRAFT).count(),
     format_lazy("{}?status=draft", reverse_lazy("coe_list"))),
    ("referral.work", _("Referrals assigned to me"),
     lambda scope: scope.referrals().filter(assigned_to=scope.user, status="assigned").count(),
     reverse_lazy("referrals")),
    ("coe.review", _("COEs waiting for review"),
     lambda scope: scope.coes().filter(status=CoeStatus.SUBMITTED).count(), reverse_lazy("review_queue")),
    ("worklist.decide", _("Possible matches to decide"),
     lambda scope: scope.candidates().filter(status="open").count(), reverse_lazy("worklist")),
    ("alert.acknowledge", _("Migrant Student Enrollment Alerts to acknowledge"),
     lambda scope: scope.alerts().filter(kind=Alert.Kind.DISTRICT_ENROLLMENT, acknowledged_at__isnull=True).count(),
     reverse_lazy("district_alerts")),
]


@login_required
def home(request):
    scope = request.scope
    todo = [{"label": label, "count": count(scope), "url": url}
            for permission, label, count, url in TODO if scope.may(permission)]
    return render(request, "web/home.html", {"todo": todo})


urlpatterns = [
    path("", home, name="home"),
]

"""The home page: for each kind of work the user's roles do, how much of it is waiting."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from mepsis.registry.models import CoeStatus

# (permission, label, how many are waiting: a function of the scope, the page that does the work or None)
TODO = [
    ("coe.write", _("Returned COEs to answer"),
     lambda scope: scope.coes().filter(status=CoeStatus.RETURNED).count(), None),
    ("coe.write", _("Draft COEs to finish"),
     lambda scope: scope.coes().filter(status=CoeStatus.DRAFT).count(), None),
    ("coe.review", _("COEs waiting for review"),
     lambda scope: scope.coes().filter(status=CoeStatus.SUBMITTED).count(), None),
    ("worklist.decide", _("Possible matches to decide"),
     lambda scope: scope.candidates().filter(status="open").count(), None),
    ("alert.acknowledge", _("Migrant Student Enrollment Alerts to acknowledge"),
     lambda scope: scope.alerts().filter(acknowledged_at__isnull=True).count(), None),
]


@login_required
def home(request):
    scope = request.scope
    todo = [{"label": label, "count": count(scope), "url_name": url_name}
            for permission, label, count, url_name in TODO if scope.may(permission)]
    return render(request, "web/home.html", {"todo": todo})


urlpatterns = [
    path("", home, name="home"),
]

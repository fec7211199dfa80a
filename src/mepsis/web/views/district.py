"""A district's MEP staff: its Migrant Student Enrollment Alerts, its migrant list, and referrals of families.

Every read goes through the user's scope (``request.scope``); the changes are the actions of
``mepsis.alerts.actions``, which write the audit log.
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_POST

from mepsis.access.audit import actor_of, record_export
from mepsis.alerts.actions import ActionRefused, acknowledge_alert, refer_family
from mepsis.alerts.models import Alert, AlertChild
from mepsis.orgs.models import School
from mepsis.reports.queries import MIGRANT_LIST_FIELDS, migrant_list as district_migrant_list

from .children import DateInput

ALERTS_PER_PAGE = 10


def _district_field(scope, **options) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("District"), queryset=scope.districts().order_by("district_id"),
                                  to_field_name="district_id", **options)


# --- Migrant Student Enrollment Alerts ---------------------------------------------------------------

class AlertFilter(forms.Form):
    OPEN, ALL = "open", "all"
    show = forms.ChoiceField(label=_("Show"), required=False,
                             choices=[(OPEN, _("open alerts")), (ALL, _("all alerts"))])

    def __init__(self, data, *, scope):
        super().__init__(data)
        self.fields["district"] = _district_field(scope, required=False)


@login_required
def alerts(request):
    scope = request.scope
    scope.require("alert.acknowledge")
    form = AlertFilter(request.GET or None, scope=scope)
    # An alert lists only the children the user sees now (an old alert's child may have left the district).
    listed = (AlertChild.objects.filter(child__in=scope.children()).select_related("child", "enrollment__school")
              .order_by("child__last_name_1", "child__first_name", "child__child_id"))
    found = (scope.alerts().filter(kind=Alert.Kind.DISTRICT_ENROLLMENT).select_related("district")
             .prefetch_related(Prefetch("children", queryset=listed)).order_by("-created_at", "-pk"))
    wanted = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not wanted:
        found = found.none()
    if wanted.get("district"):
        found = found.filter(district=wanted["district"])
    if wanted.get("show") != AlertFilter.ALL:
        found = found.filter(acknowledged_at__isnull=True)
    page = Paginator(found, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/district/alerts.html", {"form": form, "page": page, "query": query.urlencode()})


@require_POST
@login_required
def acknowledge(request, alert_id):
    scope = request.scope
    scope.require("alert.acknowledge")
    alert = get_object_or_404(scope.alerts(), pk=alert_id)
    try:
        alert = acknowledge_alert(alert.pk, actor=actor_of(request.user))
        refusal = None
    except ActionRefused as refused:
        alert.refresh_from_db()
        refusal = str(refused)
    if request.htmx:
        return render(request, "web/district/alert_status.html", {"alert": alert, "refusal": refusal})
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, gettext("Alert %(id)s acknowledged.") % {"id": alert.pk})
    return redirect("district_alerts")


# --- The district's migrant list --------------------------------------------------------------------

class MigrantListForm(forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=DateInput,
                         help_text=_("Children enrolled and eligible on this day (default today)."))

    def __init__(self, data, *, scope):
        super().__init__(data)
        self.fields["district"] = _district_field(scope)
        self.order_fields(["district", "on"])


@login_required
def migrant_list(request):
    scope = request.scope
    # The migrant list is the migrant status read back by the districts, as the SMEPA records are.
    scope.require("smepa.read")
    form = MigrantListForm(request.GET or None, scope=scope)
    rows = None
    if form.is_bound and form.is_valid():
        district, on = form.cleaned_data["district"], form.cleaned_data["on"] or timezone.localdate()
        # The list reads the district's enrollments; keep only the children the scope lets this user see.
        listed = district_migrant_list(district, on)
        visible = set(scope.children().filter(child_id__in=[row.child_id for row in listed])
                      .values_list("child_id", flat=True))
        rows = [row for row in listed if row.child_id in visible]
        if request.GET.get("download") == "csv":
            record_export(request.user, f"migrant_list/{district.district_id}/{on.isoformat()}", len(rows))
            return _csv(rows, f"migrant-list-{district.district_id}-{on.isoformat()}.csv")
    query = request.GET.copy()
    query["download"] = "csv"
    return render(request, "web/district/migrant_list.html", {"form": form, "rows": rows,
                                                              "download_query": query.urlencode()})


def _csv(rows, file_name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{file_name}"'})
    writer = csv.writer(response)
    writer.writerow(MIGRANT_LIST_FIELDS)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row.as_dict().values()])
    return response


# --- Refer a family ---------------------------------------------------------------------------------

class ReferralForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none(), required=False,
                                    to_field_name="school_id")
    family_name = forms.CharField(label=_("Family"), max_length=200,
                                  help_text=_("The parents' or guardians' names, as the family gives them."))
    contact = forms.CharField(label=_("How to reach the family"), max_length=300,
                              help_text=_("Phone, address, or the school contact who knows the family."))
    child_names = forms.CharField(label=_("Children"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("One child a line."))
    notes = forms.CharField(label=_("Why you think the family may be migratory"), required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, data, *, scope):
        super().__init__(data)
        districts = scope.districts()
        self.fields["district"] = _district_field(scope)
        self.fields["school"].queryset = School.objects.filter(district__in=districts).order_by("school_id")
        self.order_fields(["district", "school"])

    def clean(self):
        cleaned = super().clean()
        district, school = cleaned.get("district"), cleaned.get("school")
        if district and school and school.district_id != district.pk:
            self.add_error("school", gettext("This school is not in the district chosen."))
        return cleaned


@login_required
def refer(request):
    scope = request.scope
    scope.require("referral.create")
    form = ReferralForm(request.POST if request.method == "POST" else None, scope=scope)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            referral = refer_family(by=request.user, district=data["district"], school=data["school"],
                                    family_name=data["family_name"], contact=data["contact"],
                                    child_names=data["child_names"].splitlines(), notes=data["notes"])
        except ActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, gettext("The family %(family)s is referred to the recruiters (referral %(id)s).")
                             % {"family": referral.family_name, "id": referral.pk})
            return redirect("district_refer")
    return render(request, "web/district/refer.html", {"form": form})


urlpatterns = [
    path("district/alerts/", alerts, name="district_alerts"),
    path("district/alerts/<int:alert_id>/acknowledge/", acknowledge, name="district_alert_acknowledge"),
    path("district/migrant-list/", migrant_list, name="district_migrant_list"),
    path("district/refer/", refer, name="district_refer"),
]

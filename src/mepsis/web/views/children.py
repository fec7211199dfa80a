"""Children in the user's scope: the list with its filters, and the consolidated child record.

Both pages make a fixed number of queries whatever the number of rows: the list filters with subqueries
and pages by 25; the record reads each kind of record once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from mepsis.access.audit import record_read
from mepsis.api.records import find_child
from mepsis.registry.models import CoeChild, CoeStatus
from mepsis.rules.periods import school_year

PAGE_SIZE = 25


class DateInput(forms.DateInput):
    input_type = "date"


class ChildFilter(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=100,
                           help_text=_("The start of a first or last name; several words narrow the list."))
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput)
    district = forms.ModelChoiceField(label=_("District"), queryset=None, required=False,
                                      to_field_name="district_id",
                                      help_text=_("Children with an enrollment in the district or a COE moving there."))
    eligible_on = forms.DateField(label=_("Eligible on"), required=False, widget=DateInput)

    def __init__(self, data, *, scope):
        super().__init__(data)
        self.scope = scope
        self.fields["district"].queryset = scope.districts().order_by("district_id")

    def filter(self):
        """The children in the user's scope that pass the filters (the form must be valid), in the lists'
        order (``by_name``)."""
        wanted = self.cleaned_data
        # A district's children come from their own index, in name order: a district can have thousands,
        # which a page must not sort every time.
        district = wanted["district"]
        children = self.scope.children_of(district) if district else self.scope.children()
        for word in wanted["name"].split():
            children = children.filter(Q(first_name__istartswith=word) | Q(last_name_1__istartswith=word)
                                       | Q(last_name_2__istartswith=word))
        if wanted["birth_date"]:
            children = children.filter(birth_date=wanted["birth_date"])
        if day := wanted["eligible_on"]:
            children = children.filter(pk__in=_eligible_on(day).values("child_id"))
        if district:
            return children.order_by(
                *(f"districts__{name}" for name in ("last_name_1", "last_name_2", "first_name", "child_key")))
        return by_name(children)


def by_name(children):
    """The children lists' order: last names, first name, then child id (the index ``child_by_name``)."""
    return children.order_by("last_name_1", "last_name_2", "first_name", "child_id")


def _eligible_on(day: dt.date):
    return CoeChild.objects.filter(coe__status=CoeStatus.APPROVED, eligibility_start__lte=day,
                                   last_eligible_day__gte=day)


@login_required
def child_list(request):
    scope = request.scope
    form = ChildFilter(request.GET or None, scope=scope)
    if form.is_bound and form.is_valid():
        children = form.filter()
    else:
        children = by_name(scope.children().none() if form.is_bound else scope.children())
    today = timezone.localdate()
    children = children.annotate(eligible_today=Exists(_eligible_on(today).filter(child_id=OuterRef("pk"))))
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/children/list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def child_record(request, child_id):
    scope = request.scope
    child = find_child(scope, child_id)
    record_read(request.user, "child", child.child_id)
    # Every COE of the child is part of its record; a link to a COE's page only where the user may open it.
    entries = list(CoeChild.objects.filter(child=child).select_related("coe")
                   .annotate(linked=Exists(scope.coes().filter(pk=OuterRef("coe_id"))))
                   .order_by("coe__qad", "coe__coe_id"))
    records = scope.records_of(child)
    enrollments = list(records.enrollments.select_related("district", "school").order_by("entry_date", "pk"))
    services = list(records.services.select_related("project").order_by("begin_date", "pk"))
    latest = enrollments[-1] if enrollments else None
    flags = {
        "english_learner": _yes(latest.english_learner) if latest else None,
        "iep": _yes(latest.iep) if latest else None,
    }
    today = timezone.localdate()
    return render(request, "web/children/record.html", {
        "child": child, "entries": entries, "enrollments": enrollments, "services": services, "flags": flags,
        "today": today, "timeline": timeline(entries, enrollments, services, today),
    })


def _yes(flag: str) -> bool | None:
    flag = (flag or "").strip().upper()
    return None if not flag else flag == "Y"


# --- The eligibility timeline, an inline SVG ---------------------------------------------------------

# In SVG user units (the picture scales to the page): width, the labels' column, a lane's and a bar's height,
# and the room above the lanes for the label of today.
WIDTH, LABELS, LANE, BAR, TOP = 1000, 190, 28, 18, 18


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    css: str
    title: str


@dataclass(frozen=True)
class Lane:
    y: float
    label: str
    bars: list[Bar]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


def timeline(entries: list[CoeChild], enrollments, services, today: dt.date) -> dict | None:
    """Lanes on a time axis: one per COE (the eligibility interval it gives, dashed when the COE does not
    make the child eligible), one for the enrollments and one for the services, with today marked."""
    spans = [(entry.eligibility_start, entry.last_eligible_day) for entry in entries if entry.eligibility_start]
    spans += [(enrollment.entry_date, _enrollment_end(enrollment, today)) for enrollment in enrollments]
    spans += [(service.begin_date, service.end_date) for service in services]
    if not spans:
        return None
    first = min(min(start for start, _ in spans), today).replace(month=1, day=1)
    last = max(max(end for _, end in spans), today).replace(month=12, day=31)
    days = (last - first).days + 1

    def x(day: dt.date) -> float:
        return round(LABELS + (WIDTH - LABELS) * (day - first).days / days, 1)

    def bar(start: dt.date, end: dt.date, css: str, title: str) -> Bar:
        return Bar(x(start), max(round(x(end + dt.timedelta(days=1)) - x(start), 1), 2), css, title)

    lanes = []
    for entry in entries:
        if not entry.eligibility_start:
            continue
        counts = entry.coe.status == CoeStatus.APPROVED
        title = gettext("%(coe)s (%(status)s): eligible %(start)s to %(end)s") % {
            "coe": entry.coe.coe_id, "status": entry.coe.get_status_display(), "start": entry.eligibility_start,
            "end": entry.last_eligible_day}
        lanes.append((entry.coe.coe_id, [bar(entry.eligibility_start, entry.last_eligible_day,
                                             "eligible" if counts else "not-counted", title)]))
    if enrollments:
        lanes.append((gettext("Enrollments"), [
            bar(enrollment.entry_date, _enrollment_end(enrollment, today), "enrolled",
                gettext("%(district)s %(school)s, %(start)s to %(end)s") % {
                    "district": enrollment.district.name, "school": enrollment.school.name,
                    "start": enrollment.entry_date, "end": enrollment.exit_date or gettext("no exit yet")})
            for enrollment in enrollments]))
    if services:
        lanes.append((gettext("Services"), [
            bar(service.begin_date, service.end_date, "served", f"{service.get_service_display()}, "
                f"{service.begin_date} – {service.end_date}")
            for service in services]))
    height = TOP + LANE * (len(lanes) + 1)
    return {
        "width": WIDTH, "height": height, "labels": LABELS, "bar": BAR, "top": TOP, "axis_y": height - LANE + 4,
        "lanes": [Lane(TOP + LANE * number + (LANE - BAR) / 2, label, bars)
                  for number, (label, bars) in enumerate(lanes)],
        "ticks": [Tick(x(dt.date(year, 1, 1)), str(year)) for year in range(first.year, last.year + 1)],
        "today": x(today), "today_label": gettext("today"),
    }


def _enrollment_end(enrollment, today: dt.date) -> dt.date:
    """An enrollment with no exit runs to today, and at the latest to the end of its school year."""
    return enrollment.exit_date or min(today, school_year(enrollment.school_year).last_day)


urlpatterns = [
    path("children/", child_list, name="children"),
    path("children/<str:child_id>/", child_record, name="child"),
]

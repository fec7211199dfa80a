"""Dashboards (issue 7, item 7): counts by region and district over time, children whose eligibility ends
soon, PFS children without a service this term, services by type and session. Each chart is a small inline
SVG drawn here (no script, no CDN) with its table, and downloads as CSV. The data comes from
``mepsis.reports.dashboards``, scoped to ``request.scope.districts()`` below the state and suppressed when
``request.scope.suppress_counts``. Nothing is cached: the counts over time are read from the counts the
writes keep up to date (``dashboards.refresh_counts``), so a page shows a change at once."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from mepsis.access.audit import record_export
from mepsis.reports import dashboards

CHART_WIDTH, BAR_HEIGHT, LABEL_WIDTH = 640, 14, 180

# key -> (how many leading columns label a row, the data function given the request's scope and today)
CHARTS = {
    "counts-by-region": (2, lambda periods, day, **scope: dashboards.counts_over_time(periods, level="region",
                                                                                       **scope)),
    "counts-by-district": (2, lambda periods, day, **scope: dashboards.counts_over_time(periods, **scope)),
    "eligibility-ending": (1, lambda periods, day, **scope: dashboards.eligibility_ending(day, **scope)),
    "pfs-without-service": (1, lambda periods, day, **scope: dashboards.pfs_without_service(day, **scope)),
    "services-by-type": (1, lambda periods, day, **scope: dashboards.services_by_type_and_session(periods[-1],
                                                                                                 **scope)),
}


def _table(request, key: str) -> dashboards.Table:
    scope = request.scope
    scope.require("dashboards.read")
    if key not in CHARTS:
        raise Http404(key)
    day = timezone.localdate()
    periods = dashboards.periods_shown(day)
    districts = None if scope.statewide else sorted(scope.districts().values_list("district_id", flat=True))
    return CHARTS[key][1](periods, day, districts=districts, suppress=scope.suppress_counts)


def _chart(table: dashboards.Table, label_columns: int) -> dict:
    """Bars for an inline SVG: one group a row, one bar a value column; a suppressed value is an outline."""
    series = table.columns[label_columns:]
    largest = max([value for row in table.rows for value in row[label_columns:] if value] or [1])
    groups, y = [], 0
    for row in table.rows:
        bars = []
        for index, value in enumerate(row[label_columns:]):
            width = 0 if not value else max(1, round((CHART_WIDTH - LABEL_WIDTH - 60) * value / largest))
            bars.append({"series": index, "name": series[index], "value": value, "y": y, "width": width,
                         "hidden": value is None})
            y += BAR_HEIGHT
        groups.append({"label": " ".join(str(value) for value in row[:label_columns]),
                       "y": y - len(bars) * BAR_HEIGHT, "bars": bars})
        y += BAR_HEIGHT // 2
    return {"groups": groups, "height": max(y, BAR_HEIGHT), "width": CHART_WIDTH, "label_width": LABEL_WIDTH,
            "series": series, "bar_height": BAR_HEIGHT - 2}


@login_required
def index(request):
    charts = []
    for key, (label_columns, _) in CHARTS.items():
        table = _table(request, key)
        charts.append({"table": table, "chart": _chart(table, label_columns), "label_columns": label_columns})
    return render(request, "web/dashboards/index.html",
                  {"charts": charts, "suppressed": request.scope.suppress_counts})


@login_required
def download(request, key: str):
    table = _table(request, key)
    record_export(request.user, f"dashboard {key}", len(table.rows))
    response = HttpResponse(table.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}.csv"'
    return response


urlpatterns = [
    path("dashboards/", index, name="dashboards"),
    path("dashboards/<slug:key>.csv", download, name="dashboard_csv"),
]

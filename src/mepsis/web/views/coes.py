"""The recruiter's pages: my COEs by status, the COE form (with the rules engine's findings beside the
fields as they are typed), answering a returned COE, and the "is this child already certified?" search."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_POST

from mepsis.access.audit import actor_of, record_read
from mepsis.registry import actions
from mepsis.registry.models import Coe, CoeStatus
from mepsis.web.coe_form import CHILDREN_PREFIX, ChildFormSet, CoeEntry, judgement

# The order a recruiter works in: what waits for them first.
STATUS_ORDER = [CoeStatus.RETURNED, CoeStatus.DRAFT, CoeStatus.SUBMITTED, CoeStatus.APPROVED, CoeStatus.REJECTED,
                CoeStatus.VOID]
EDITABLE = {CoeStatus.DRAFT, CoeStatus.RETURNED}
STALE = _("Someone else acted on this COE since you opened it. Here it is as it is now.")


@login_required
def coe_list(request):
    request.scope.require("coe.write")
    coes = request.scope.coes()
    status = request.GET.get("status")
    if status not in CoeStatus.values:
        status = CoeStatus.RETURNED if coes.filter(status=CoeStatus.RETURNED).exists() else CoeStatus.DRAFT
    counts = dict(coes.values_list("status").annotate(count=Count("pk")).values_list("status", "count"))
    tabs = [(value, CoeStatus(value).label, counts.get(value, 0)) for value in STATUS_ORDER]
    rows = coes.filter(status=status).select_related("family").order_by("-updated_at")[:200]
    return render(request, "web/coes/list.html", {"tabs": tabs, "status": status, "coes": rows})


@login_required
def coe_new(request):
    request.scope.require("coe.write")
    entry = CoeEntry(request.POST if request.method == "POST" else None)
    if request.method == "POST" and entry.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            with transaction.atomic():
                coe = _write(entry.document(), request.user)
                if submit:
                    actions.submit_coe(coe.coe_id, actor=actor_of(request.user), expected_version=coe.version)
        except actions.ActionRefused as refused:
            return _form(request, entry, refused=refused)
        messages.success(request, _("COE %(coe)s submitted for review.") % {"coe": coe.coe_id} if submit else
                         _("COE %(coe)s saved as a draft.") % {"coe": coe.coe_id})
        return redirect("coe_detail" if submit else "coe_edit", coe_id=coe.coe_id)
    return _form(request, entry)


@login_required
def coe_edit(request, coe_id):
    request.scope.require("coe.write")
    coe = get_object_or_404(request.scope.coes(), coe_id=coe_id)
    if coe.status not in EDITABLE:
        return redirect("coe_detail", coe_id=coe_id)
    original = actions.current_document(coe)
    if request.method != "POST":
        record_read(request.user, "coe", coe_id)
        return _form(request, CoeEntry(original=original), coe=coe, version=coe.version)
    entry = CoeEntry(request.POST, original=original)
    version = _posted_version(request)
    if entry.is_valid():
        submit = request.POST.get("action") == "submit"
        actor = actor_of(request.user)
        try:
            with transaction.atomic():
                coe = actions.revise_coe(coe_id, entry.document(), actor=actor, why=gettext("edited"),
                                         expected_version=version)
                if submit:
                    coe = actions.submit_coe(coe_id, actor=actor, expected_version=coe.version)
        except actions.Conflict:
            messages.error(request, STALE)
            return redirect("coe_detail", coe_id=coe_id)
        except actions.ActionRefused as refused:
            return _form(request, entry, coe=coe, version=version, refused=refused)
        if submit:
            messages.success(request, _("COE %(coe)s submitted for review.") % {"coe": coe_id})
            return redirect("coe_detail", coe_id=coe_id)
        messages.success(request, _("COE %(coe)s saved.") % {"coe": coe_id})
        return redirect("coe_edit", coe_id=coe_id)
    return _form(request, entry, coe=coe, version=version)


def _write(document: dict, user) -> Coe:
    """A new COE under a fresh id: the state, the year and six random digits (the form of interfaces.md)."""
    year = timezone.localdate().year
    for _attempt in range(5):
        coe_id = f"{settings.MEPSIS_STATE}-{year}-{secrets.randbelow(10**6):06d}"
        try:
            return actions.write_coe({**document, "coe_id": coe_id}, author=user, actor=actor_of(user))
        except actions.Conflict:
            continue  # that id is taken: draw another
    raise actions.ActionRefused(gettext("No free COE id was found; try again."))


def _posted_version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _form(request, entry: CoeEntry, *, coe=None, version=None, refused: actions.ActionRefused | None = None):
    """The form with its findings: the rules engine's on what it says, and an action's refusal if any."""
    # A COE opened to edit shows its findings at once; a new, blank one none yet.
    findings = entry.findings() if entry.form.is_bound or entry.original else None
    if refused is not None and findings is not None:
        # Placed like the rules' findings; those already shown are not repeated.
        shown = {message for items in findings.by_field.values() for _level, message in items}
        for error in refused.errors:
            if error["message"] not in shown:
                findings.add(error["field"], "error", error["message"])
        if not refused.errors:
            findings.general.append(("error", str(refused)))
    return render(request, "web/coes/form.html", {
        "entry": entry, "findings": findings, "coe": coe, "version": version, "refused": refused,
    }, status=400 if refused is not None or (entry.form.is_bound and not entry.is_valid()) else 200)


@require_POST
@login_required
def coe_check(request):
    """The findings of the form as typed so far, each swapped in beside its field (htmx)."""
    request.scope.require("coe.write")
    return render(request, "web/coes/findings.html", {"findings": CoeEntry(request.POST).findings()})


@require_POST
@login_required
def coe_child(request):
    """One more child's fieldset at the end of the list (htmx); the formset's count follows."""
    request.scope.require("coe.write")
    total = ChildFormSet(request.POST, prefix=CHILDREN_PREFIX).total_form_count()
    form = ChildFormSet(prefix=CHILDREN_PREFIX).empty_form
    form.prefix = f"{CHILDREN_PREFIX}-{total}"
    response = render(request, "web/coes/child_added.html", {"child": form, "number": total + 1, "total": total + 1})
    response["HX-Trigger-After-Settle"] = "recheck"
    return response


@login_required
def coe_detail(request, coe_id):
    coe = get_object_or_404(request.scope.coes().select_related("family"), coe_id=coe_id)
    record_read(request.user, "coe", coe_id)
    document = actions.current_document(coe)
    return render(request, "web/coes/detail.html", {
        "coe": coe, "document": document, "versions": coe.versions.order_by("-number"),
        "judgement": judgement(actions.check(document, actions.known_district_ids())),
        "may_edit": coe.status in EDITABLE and request.scope.may("coe.write"),
        "may_review": coe.status == CoeStatus.SUBMITTED and request.scope.may("coe.review"),
    })


class CertifiedSearch(forms.Form):
    name = forms.CharField(label=_("Child's name"), max_length=200,
                           help_text=_("First and last names; every word must match one of the child's names."))
    birth_date = forms.DateField(label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def certified_search(request):
    """Is this child already certified? Only the name, birth date, COE id and district (roles.md)."""
    request.scope.require("coe.write")
    form = CertifiedSearch(request.GET or None)
    found = None
    if form.is_valid():
        found = request.scope.certified_search(form.cleaned_data["name"], form.cleaned_data["birth_date"])
    template = "web/coes/certified_results.html" if request.htmx else "web/coes/certified.html"
    return render(request, template, {"form": form, "found": found})


urlpatterns = [
    path("coes/", coe_list, name="coe_list"),
    path("coes/new/", coe_new, name="coe_new"),
    path("coes/check/", coe_check, name="coe_check"),
    path("coes/child/", coe_child, name="coe_child"),
    path("coes/<str:coe_id>/", coe_detail, name="coe_detail"),
    path("coes/<str:coe_id>/edit/", coe_edit, name="coe_edit"),
    path("certified/", certified_search, name="certified_search"),
]

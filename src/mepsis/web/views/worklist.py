"""The match worklist: pairs the linkage could not decide alone, each shown side by side with the match
weight of every comparison, accepted or rejected by a reviewer (``mepsis.matching.actions``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from mepsis.access.audit import actor_of, record_read
from mepsis.matching import queries
from mepsis.matching.actions import accept_candidate, reject_candidate
from mepsis.matching.models import MatchCandidate
from mepsis.registry.actions import ActionRefused

PER_PAGE = 25
# The words for the rows of the side-by-side view (the keys of ``mepsis.matching.queries.FIELDS``).
FIELD_LABELS = {
    "record": _("record"), "state_student_id": _("state student id"), "first_name": _("first name"),
    "middle_name": _("middle name"), "last_name": _("last name"), "last_name_2": _("second last name"),
    "sex": _("sex"), "birth_date": _("birth date"), "parents": _("parents / guardians"),
    "birth_place": _("birth place / moved from"), "district": _("district"),
}


class WorklistDecision(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("accept", _("Same child: accept")), ("reject", _("Not the same child: reject"))])
    why = forms.CharField(label=_("Note (kept in the audit log)"), required=False, max_length=2000,
                          widget=forms.Textarea(attrs={"rows": 2}))


@login_required
def worklist(request):
    request.scope.require("worklist.decide")
    items = queries.worklist(request.scope.candidates())
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/worklist/list.html", {
        "page": page, "items": queries.worklist_items(page.object_list)})


@login_required
def worklist_item(request, candidate_id):
    request.scope.require("worklist.decide")
    try:
        item = queries.worklist_item(candidate_id, request.scope.candidates())
    except MatchCandidate.DoesNotExist:
        raise Http404 from None
    form = WorklistDecision(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        candidate = MatchCandidate.objects.get(pk=item["id"])
        actor = actor_of(request.user)
        try:
            if form.cleaned_data["decision"] == "accept":
                accept_candidate(candidate, actor)
            else:
                reject_candidate(candidate, actor, why=form.cleaned_data["why"])
        except ActionRefused as refused:
            messages.error(request, str(refused))
            return redirect("worklist_item", candidate_id=candidate_id)
        messages.success(request, _("Worklist item %(id)s decided.") % {"id": candidate_id})
        return redirect("worklist")
    if request.method != "POST":
        record_read(request.user, "match_candidate", candidate_id)
    rows = [(FIELD_LABELS[key], item["left"][key], item["right"][key],
             key != "record" and bool(item["left"][key]) and bool(item["right"][key])
             and item["left"][key] != item["right"][key])
            for key, _label in queries.FIELDS]
    return render(request, "web/worklist/item.html", {
        "item": item, "rows": rows, "form": form, "status": MatchCandidate.Status(item["status"]).label},
                  status=400 if form.errors else 200)


urlpatterns = [
    path("worklist/", worklist, name="worklist"),
    path("worklist/<int:candidate_id>/", worklist_item, name="worklist_item"),
]

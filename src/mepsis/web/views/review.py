"""The reviewer's pages: the review queue (oldest submission first) and a COE beside its rule findings,
approved, returned with reasons or rejected. The decision carries the version the reviewer read: when
someone else acted first, the registry refuses it (``Conflict``) and the reviewer is told."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mepsis.access.audit import actor_of, record_read
from mepsis.registry import actions
from mepsis.registry.models import CoeStatus
from mepsis.web.coe_form import judgement
from mepsis.web.views.coes import STALE


class Decision(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("approve", _("Approve")), ("return", _("Return to the recruiter")), ("reject", _("Reject"))])
    reasons = forms.CharField(label=_("What the recruiter must correct (one reason a line)"), required=False,
                              max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    why = forms.CharField(label=_("Why the COE is rejected"), required=False, max_length=2000,
                          widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("reasons", "").strip():
            self.add_error("reasons", _("Say what the recruiter must correct."))
        if data.get("decision") == "reject" and not data.get("why", "").strip():
            self.add_error("why", _("Say why the COE is rejected."))
        return data


@login_required
def queue(request):
    request.scope.require("coe.review")
    # A submitted COE's last change is its submission: the longest waiting come first.
    coes = request.scope.coes().filter(status=CoeStatus.SUBMITTED).select_related("family").order_by(
        "updated_at", "coe_id")
    page = Paginator(coes, 50).get_page(request.GET.get("page"))
    return render(request, "web/review/queue.html", {"page": page})


@login_required
def review_coe(request, coe_id):
    request.scope.require("coe.review")
    coe = get_object_or_404(request.scope.coes().select_related("family"), coe_id=coe_id)
    form = Decision(request.POST if request.method == "POST" else None, initial={"version": coe.version})
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            _decide(request.user, coe_id, form.cleaned_data)
        except actions.Conflict:
            messages.error(request, STALE)
            return redirect("review_coe", coe_id=coe_id)
        except actions.ActionRefused as error:
            refused = error
        else:
            messages.success(request, {
                "approve": _("COE %(coe)s approved."), "return": _("COE %(coe)s returned to the recruiter."),
                "reject": _("COE %(coe)s rejected.")}[form.cleaned_data["decision"]] % {"coe": coe_id})
            return redirect("review_queue")
    if request.method != "POST":
        record_read(request.user, "coe", coe_id)
    document = actions.current_document(coe)
    return render(request, "web/review/coe.html", {
        "coe": coe, "document": document, "form": form, "refused": refused,
        "judgement": judgement(actions.check(document, actions.known_district_ids())),
    }, status=400 if form.errors or refused else 200)


def _decide(user, coe_id: str, decision: dict) -> None:
    actor, version = actor_of(user), decision["version"]
    if decision["decision"] == "approve":
        actions.approve_coe(coe_id, actor=actor, reviewer_name=user.get_full_name() or user.get_username(),
                            on=timezone.localdate(), expected_version=version)
    elif decision["decision"] == "return":
        actions.return_coe(coe_id, actor=actor, reasons=decision["reasons"].splitlines(), expected_version=version)
    else:
        actions.reject_coe(coe_id, actor=actor, why=decision["why"], expected_version=version)


urlpatterns = [
    path("review/", queue, name="review_queue"),
    path("review/<str:coe_id>/", review_coe, name="review_coe"),
]

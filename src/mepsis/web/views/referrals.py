"""The recruiter's referrals: families district staff suspect are migratory, assigned to the recruiter or
waiting for one; taken, interviewed and closed through ``mepsis.alerts.actions``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from mepsis.alerts.actions import ActionRefused, assign_referral, close_referral, record_referral_interview
from mepsis.alerts.models import Referral


class ReferralStep(forms.Form):
    """What the recruiter did with a referral; a COE named must be one of the recruiter's own."""

    action = forms.ChoiceField(choices=[("take", _("Take it")), ("interviewed", _("Interviewed")),
                                        ("close", _("Close"))], widget=forms.HiddenInput)
    coe_id = forms.CharField(label=_("COE written (if the family qualified)"), required=False, max_length=40)
    why = forms.CharField(label=_("Why it is closed"), required=False, max_length=2000)

    def __init__(self, data, *, scope):
        super().__init__(data)
        self.scope = scope

    def clean_coe_id(self):
        coe_id = self.cleaned_data["coe_id"].strip()
        if coe_id and not self.scope.coes().filter(coe_id=coe_id).exists():
            raise forms.ValidationError(_("You have no COE %(coe_id)s."), params={"coe_id": coe_id})
        return coe_id

    def clean(self):
        data = super().clean()
        if data.get("action") == "close" and not data.get("why", "").strip():
            self.add_error("why", _("Say why the referral is closed."))
        return data


@login_required
def referrals(request, form=None, failed=None):
    request.scope.require("referral.work")
    mine = request.scope.referrals().select_related("district", "school")
    return render(request, "web/referrals/list.html", {
        "assigned": mine.filter(assigned_to=request.user).exclude(status=Referral.Status.CLOSED).order_by("created_at"),
        "waiting": mine.filter(status=Referral.Status.OPEN, assigned_to__isnull=True).order_by("created_at"),
        "form": form, "failed": failed,
    }, status=400 if form is not None else 200)


@require_POST
@login_required
def referral_step(request, referral_id):
    request.scope.require("referral.work")
    referral = get_object_or_404(request.scope.referrals(), pk=referral_id)
    form = ReferralStep(request.POST, scope=request.scope)
    if not form.is_valid():
        return referrals(request, form=form, failed=referral.pk)
    step, user = form.cleaned_data["action"], request.user
    try:
        if step == "take":
            assign_referral(referral.pk, recruiter=user, by=user)
        elif step == "interviewed":
            record_referral_interview(referral.pk, by=user, coe_id=form.cleaned_data["coe_id"] or None)
        else:
            close_referral(referral.pk, by=user, why=form.cleaned_data["why"], coe_id=form.cleaned_data["coe_id"] or None)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Referral %(id)s updated.") % {"id": referral.pk})
    return redirect("referrals")


urlpatterns = [
    path("referrals/", referrals, name="referrals"),
    path("referrals/<int:referral_id>/", referral_step, name="referral_step"),
]

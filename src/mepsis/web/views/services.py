"""MEP services: the services of the children in the user's scope with a form to record one, the reviewer's
continuation of services, and the state's priority-for-services criteria. Each form goes through one action
of ``mepsis.delivery.actions`` (one transaction: a refused form saves nothing), and its refusals are shown
beside the fields they are about."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import formset_factory
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from mepsis.access.audit import actor_of
from mepsis.delivery import actions
from mepsis.delivery.models import ContinuationOfServices, ContinuationReason, PfsRuleSet, Project
from mepsis.registry.actions import ActionRefused
from mepsis.registry.models import CoeChild
from mepsis.rules import services as service_rules
from mepsis.web.views.children import PAGE_SIZE, DateInput


class ChildIdField(forms.CharField):
    """A child the user sees, by child id; any other id is unknown, as the scope says."""

    def __init__(self, **kwargs):
        super().__init__(label=_("Child id"), max_length=40, **kwargs)

    def child_in(self, scope, child_id: str):
        child = scope.children().filter(child_id=child_id.strip()).first()
        if child is None:
            raise forms.ValidationError(_("There is no child %(child)s."), params={"child": child_id})
        return child


class ServiceForm(forms.Form):
    child_id = ChildIdField()
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), to_field_name="project_id")
    service = forms.ChoiceField(label=_("Service"), choices=[(code, code) for code in service_rules.SERVICES])
    begin_date = forms.DateField(label=_("Begin date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), widget=DateInput)
    hours = forms.DecimalField(label=_("Hours"), required=False, min_value=0, max_digits=7, decimal_places=2,
                               help_text=_("Required for an instructional service."))

    # The services file's fields, by the form field that gives them.
    FIELDS = {"coe_id": "child_id", "child_index": "child_id", "state_student_id": "child_id", "child": "child_id",
              "project_id": "project", "session_type": "project", "service": "service",
              "begin_date": "begin_date", "end_date": "end_date", "hours": "hours"}

    def __init__(self, data=None, *, scope):
        super().__init__(data)
        self.scope = scope
        projects = Project.objects.order_by("project_id")
        if not scope.statewide:
            # The projects of the user's districts and their regions, and the state's own.
            districts = scope.districts()
            projects = projects.filter(Q(district__in=districts) | Q(region__districts__in=districts)
                                       | Q(district__isnull=True, region__isnull=True)).distinct()
        self.fields["project"].queryset = projects

    def clean_child_id(self):
        return self.fields["child_id"].child_in(self.scope, self.cleaned_data["child_id"])

    def row(self) -> dict:
        """The service as a row of the services file: the child named by one of its COEs."""
        data = self.cleaned_data
        coe_id, index = CoeChild.objects.filter(child=data["child_id"]).order_by("coe_id").values_list(
            "coe__coe_id", "index").first()
        return {"coe_id": coe_id, "child_index": index, "service": data["service"],
                "project_id": data["project"].project_id, "session_type": data["project"].session_type,
                "begin_date": data["begin_date"].isoformat(), "end_date": data["end_date"].isoformat(),
                "hours": data["hours"]}

    def add_refusals(self, refused: list[tuple[int, str]]) -> None:
        for _line, reason in refused:
            field, _colon, message = reason.partition(": ")
            self.add_error(self.FIELDS.get(field), message)


@login_required
def services(request):
    scope = request.scope
    form = None
    if scope.may("service.record"):
        form = ServiceForm(request.POST if request.method == "POST" else None, scope=scope)
    elif request.method == "POST":
        scope.require("service.record")
    if request.method == "POST" and form.is_valid():
        report = actions.record_services([form.row()], actor=actor_of(request.user), source="web")
        if not report.refused:
            messages.success(request, _("The service was recorded."))
            return redirect("services")
        form.add_refusals(report.refused)
    listed = scope.services().select_related("child", "project").order_by("-begin_date", "-pk")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/services/list.html", {"form": form, "page": page},
                  status=400 if form is not None and form.errors else 200)


class ContinuationForm(forms.Form):
    child_id = ChildIdField()
    reason = forms.ChoiceField(label=_("Reason"), choices=ContinuationReason.choices)
    begin_date = forms.DateField(label=_("Begin date"), widget=DateInput,
                                 help_text=_("The first day after eligibility ended."))
    end_date = forms.DateField(label=_("End date"), widget=DateInput)
    why = forms.CharField(label=_("Why"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), help_text=_(
        "For the previous-term reason, that comparable services are not available otherwise."))

    def __init__(self, data=None, *, scope):
        super().__init__(data)
        self.scope = scope

    def clean_child_id(self):
        return self.fields["child_id"].child_in(self.scope, self.cleaned_data["child_id"])


@login_required
def continuation(request):
    scope = request.scope
    scope.require("continuation.record")
    form = ContinuationForm(request.POST if request.method == "POST" else None, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_continuation(data["child_id"].child_id, reason=data["reason"], begin=data["begin_date"],
                                        end=data["end_date"], actor=actor_of(request.user), why=data["why"])
        except ActionRefused as refused:
            _add_refusal(form, refused)
        else:
            messages.success(request, _("The continuation of services was recorded."))
            return redirect("continuation")
    recorded = (ContinuationOfServices.objects.filter(child__in=scope.children()).select_related("child")
                .order_by("-recorded_at", "-pk")[:PAGE_SIZE])
    return render(request, "web/services/continuation.html", {"form": form, "recorded": recorded},
                  status=400 if form.errors else 200)


def _add_refusal(form: forms.Form, refused: ActionRefused) -> None:
    """An action's refusal beside the fields it names (the form as a whole for the others)."""
    for error in refused.errors or [{"field": "", "message": str(refused)}]:
        form.add_error(error["field"] if error.get("field") in form.fields else None, error["message"])


class CriterionForm(forms.Form):
    """One at-risk criterion of the state's PFS rule set (``mepsis.rules.pfs``)."""

    indicator = forms.CharField(label=_("Indicator"), max_length=40)
    comparison = forms.ChoiceField(label=_("Comparison"), choices=[
        ("lt", "<"), ("le", "≤"), ("eq", "="), ("ne", "≠"), ("ge", "≥"), ("gt", ">"), ("in", _("one of"))])
    threshold = forms.CharField(label=_("Threshold"), max_length=200, help_text=_(
        "A number for <, ≤, ≥, >; values separated by commas for \"one of\"."))
    secondary_only = forms.BooleanField(label=_("Grades 9-12 only"), required=False)
    max_age_days = forms.IntegerField(label=_("Value at most this many days old"), required=False, min_value=0)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        comparison, threshold = data.get("comparison"), data.get("threshold")
        if comparison is None or threshold is None:
            return data
        if comparison == "in":
            data["threshold"] = [value.strip() for value in threshold.split(",") if value.strip()]
        elif comparison in ("lt", "le", "ge", "gt"):
            try:
                number = float(threshold)
            except ValueError:
                self.add_error("threshold", _("Give a number."))
                return data
            data["threshold"] = int(number) if number.is_integer() else number
        return data

    def criterion(self) -> dict:
        data = self.cleaned_data
        criterion = {"indicator": data["indicator"].strip(), "comparison": data["comparison"],
                     "threshold": data["threshold"]}
        if data["secondary_only"]:
            criterion["secondary_only"] = True
        if data["max_age_days"] is not None:
            criterion["max_age_days"] = data["max_age_days"]
        if data["label"].strip():
            criterion["label"] = data["label"].strip()
        return criterion

    @staticmethod
    def initial_of(criterion: dict) -> dict:
        threshold = criterion.get("threshold")
        return {**criterion, "threshold": ", ".join(map(str, threshold)) if isinstance(threshold, list)
                else threshold}


CriteriaFormSet = formset_factory(CriterionForm, extra=2, can_delete=True)


class WhyForm(forms.Form):
    why = forms.CharField(label=_("Why the criteria change"), max_length=2000)


@login_required
def pfs_criteria(request):
    scope = request.scope
    scope.require("pfs.edit")
    active = actions.active_rule_set(actor=actor_of(request.user))
    if request.method == "POST":
        criteria, why = CriteriaFormSet(request.POST, prefix="criteria"), WhyForm(request.POST)
        if criteria.is_valid() and why.is_valid():
            # An extra row left empty has no data; a row marked for deletion leaves the rule set.
            kept = [form.criterion() for form in criteria if form.cleaned_data and not form.cleaned_data["DELETE"]]
            try:
                rule_set = actions.set_pfs_criteria({"criteria": kept}, actor=actor_of(request.user),
                                                    why=why.cleaned_data["why"])
            except ActionRefused as refused:
                _add_refusal(why, refused)
            else:
                messages.success(request, _("PFS criteria version %(version)s is in force.") % {
                    "version": rule_set.version})
                return redirect("pfs_criteria")
    else:
        criteria = CriteriaFormSet(prefix="criteria", initial=[CriterionForm.initial_of(criterion) for criterion
                                                               in active.criteria["criteria"]])
        why = WhyForm()
    failed = request.method == "POST"
    return render(request, "web/services/pfs_criteria.html", {
        "active": active, "criteria": criteria, "why": why,
        "versions": PfsRuleSet.objects.order_by("-version"),
    }, status=400 if failed else 200)


urlpatterns = [
    path("services/", services, name="services"),
    path("services/continuation/", continuation, name="continuation"),
    path("pfs/criteria/", pfs_criteria, name="pfs_criteria"),
]

"""People and the audit log: the state administrator manages users and their roles; a district security
administrator grants and ends the district roles in their own district; state administrators and auditors
search the audit log.

The users a person manages are ``request.scope.users()``; every change is an action of
``mepsis.access.actions``, which checks what the person may grant and writes the audit log.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_POST

from mepsis.access.actions import add_user, end_grant, grant_role
from mepsis.access.audit import actor_of
from mepsis.access.models import DISTRICT_ROLES, DISTRICT_SECURITY_GRANTS, REGION_ROLES, AuditEvent, Role, RoleGrant
from mepsis.access.queries import search_audit
from mepsis.orgs.models import District, Region

from .children import DateInput

PAGE_SIZE = 25


def _require_manages_users(scope) -> None:
    """The state administrator (users.manage) and district security administrators (district_users.manage)."""
    if not (scope.may("users.manage") or scope.may("district_users.manage")):
        raise PermissionDenied("district_users.manage")


# --- Granting a role --------------------------------------------------------------------------------

class GrantForm(forms.Form):
    """A role, with the district or region it is held in. A district security administrator is offered only
    the district roles they grant and their own districts; the action decides in the end."""

    role = forms.ChoiceField(label=_("Role"))
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False,
                                      to_field_name="district_id",
                                      help_text=_("For the district roles: district staff, summary viewer, "
                                                  "security administrator, SIS client."))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False,
                                    help_text=_("For the regional administrator."))
    why = forms.CharField(label=_("Why"), required=False, max_length=500)

    def __init__(self, data=None, *, scope, prefix=None):
        super().__init__(data, prefix=prefix)
        if scope.may("users.manage"):
            roles = list(Role)
            self.fields["district"].queryset = District.objects.order_by("district_id")
            self.fields["region"].queryset = Region.objects.order_by("name")
        else:
            roles = [role for role in Role if role in DISTRICT_SECURITY_GRANTS]
            self.fields["district"].queryset = District.objects.filter(
                pk__in=scope.district_ids(Role.DISTRICT_SECURITY)).order_by("district_id")
            del self.fields["region"]
            self.fields["district"].required = True
        self.fields["role"].choices = [("", "---------")] + [(role.value, role.label) for role in roles]

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role in DISTRICT_ROLES and not cleaned.get("district") and "district" not in self.errors:
            self.add_error("district", gettext("This role is held in a district: choose one."))
        if role in REGION_ROLES and not cleaned.get("region"):
            self.add_error("region", gettext("This role is held in a region: choose one."))
        return cleaned

    def grant(self, user, by):
        """Grant the role (raises the action's ValidationError or PermissionDenied)."""
        data = self.cleaned_data
        role = Role(data["role"])
        return grant_role(user, role, district=data["district"] if role in DISTRICT_ROLES else None,
                          region=data.get("region") if role in REGION_ROLES else None, by=by, actor=actor_of(by),
                          why=data["why"])


def _apply(form: forms.Form, error: ValidationError) -> None:
    """An action's refusal, beside the fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- The users ---------------------------------------------------------------------------------------

class UserSearch(forms.Form):
    name = forms.CharField(label=_("User name or name"), required=False, max_length=150)


@login_required
def people(request):
    scope = request.scope
    _require_manages_users(scope)
    form = UserSearch(request.GET or None)
    users = scope.users()
    if form.is_bound and form.is_valid() and (name := form.cleaned_data["name"].strip()):
        users = users.filter(Q(username__icontains=name) | Q(first_name__icontains=name)
                             | Q(last_name__icontains=name))
    active = RoleGrant.objects.active().select_related("district", "region").order_by("role")
    users = users.prefetch_related(Prefetch("role_grants", queryset=active, to_attr="active_grants")) \
        .order_by("username")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/people/list.html", {"form": form, "page": page, "query": query.urlencode()})


class NewUserForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, data=None):
        super().__init__(data)
        # The user model's own rules for a user name, checked here so that they are answered beside the field.
        self.fields["username"].validators = get_user_model()._meta.get_field("username").validators

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password_again") and \
                cleaned["password"] != cleaned["password_again"]:
            self.add_error("password_again", gettext("The two passwords differ."))
        return cleaned


@login_required
def add_person(request):
    scope = request.scope
    _require_manages_users(scope)
    posted = request.POST if request.method == "POST" else None
    form, grant = NewUserForm(posted), GrantForm(posted, scope=scope, prefix="grant")
    # Both forms checked, so that every field's message shows at once.
    if posted is not None and all([form.is_valid(), grant.is_valid()]):
        data = form.cleaned_data
        try:
            # The user and their first role together, or neither.
            with transaction.atomic():
                user = add_user(data["username"], data["password"], by=request.user, actor=actor_of(request.user),
                                email=data["email"], first_name=data["first_name"], last_name=data["last_name"])
                grant.grant(user, request.user)
        except ValidationError as refused:
            if not hasattr(refused, "error_dict"):  # the password validators answer with a list
                form.add_error("password", refused)
            else:
                _apply(grant if set(refused.error_dict) & set(grant.fields) else form, refused)
        else:
            messages.success(request, gettext("User %(username)s added.") % {"username": user.username})
            return redirect("person", user_id=user.pk)
    return render(request, "web/people/add.html", {"form": form, "grant": grant})


@login_required
def person(request, user_id):
    scope = request.scope
    _require_manages_users(scope)
    user = get_object_or_404(scope.users(), pk=user_id)
    form = GrantForm(request.POST if request.method == "POST" else None, scope=scope)
    if form.is_bound and form.is_valid():
        try:
            form.grant(user, request.user)
        except ValidationError as refused:
            _apply(form, refused)
        else:
            messages.success(request, gettext("Role granted."))
            return redirect("person", user_id=user.pk)
    grants = user.role_grants.select_related("district", "region", "granted_by", "ended_by") \
        .order_by("ended_at", "-granted_at")
    return render(request, "web/people/person.html", {"person": user, "grants": grants, "form": form})


@require_POST
@login_required
def end_role(request, grant_id):
    scope = request.scope
    _require_manages_users(scope)
    grant = get_object_or_404(RoleGrant.objects.filter(user__in=scope.users()).select_related("user", "district"),
                              pk=grant_id)
    try:
        end_grant(grant, by=request.user, actor=actor_of(request.user), why=request.POST.get("why", ""))
    except PermissionDenied:
        messages.error(request, gettext("Only the state administrator may end this role."))
    else:
        messages.success(request, gettext("Role %(role)s ended.") % {"role": grant.get_role_display()})
    # A district security administrator who ended the user's last role in their district no longer manages them.
    if scope.users().filter(pk=grant.user_id).exists():
        return redirect("person", user_id=grant.user_id)
    return redirect("people")


# --- The audit log -----------------------------------------------------------------------------------

class AuditSearch(forms.Form):
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    action = forms.CharField(label=_("What"), required=False, max_length=64,
                             help_text=_("An action such as child.read, coe.approved, export."))
    object_type = forms.CharField(label=_("Record type"), required=False, max_length=32)
    object_id = forms.CharField(label=_("Record"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", gettext("The end is before the start."))
        return cleaned


@login_required
def audit_log(request):
    scope = request.scope
    scope.require("audit.read")
    form = AuditSearch(request.GET or None)
    if form.is_bound and form.is_valid():
        wanted = form.cleaned_data
        events = search_audit(scope, actor=wanted["actor"], action=wanted["action"],
                              object_type=wanted["object_type"], object_id=wanted["object_id"],
                              since=_midnight(wanted["since"]),
                              # The day given as the end is searched whole.
                              until=_midnight(wanted["until"] and wanted["until"] + dt.timedelta(days=1)))
    elif form.is_bound:
        events = AuditEvent.objects.none()
    else:
        events = search_audit(scope)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/people/audit.html", {"form": form, "page": page, "query": query.urlencode()})


def _midnight(day: dt.date | None) -> dt.datetime | None:
    """The start of the day in the state's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time())) if day else None


urlpatterns = [
    path("people/", people, name="people"),
    path("people/add/", add_person, name="person_add"),
    path("people/<int:user_id>/", person, name="person"),
    path("people/grants/<int:grant_id>/end/", end_role, name="grant_end"),
    path("audit/", audit_log, name="audit"),
]

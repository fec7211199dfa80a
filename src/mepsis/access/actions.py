"""Managing users, their role grants and their API tokens; every change is audited in its transaction.

``by`` is the user doing it from a page or the API (checked against their scope); None is an operator at
the server's command line, who may do anything. A district security administrator adds users and grants and
ends the district roles (district staff, district summary, SIS client) in their own district only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import DISTRICT_ROLES, DISTRICT_SECURITY_GRANTS, REGION_ROLES, ApiToken, Role, RoleGrant
from .scope import scope_for
from .tokens import hash_key, new_key


def add_user(username: str, password: str | None, *, grants: list[tuple[Any, Any, Any]] = (), by: Any = None,
             actor: str, email: str = "", first_name: str = "", last_name: str = ""):
    """A new user with the role grants given as (role, district, region), all or nothing. A password is checked
    by the framework's validators and stored hashed; without one (an API client) the user cannot sign in to
    the pages."""
    if by is not None:
        scope = scope_for(by)
        if not (scope.may("users.manage") or scope.may("district_users.manage")):
            raise PermissionDenied("users.manage")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("There is already a user %(username)s.") % {"username": username}})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    User.username_validator(username)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        audit.record(actor, "user.created", "user", user.username,
                     after={"email": email, "first_name": first_name, "last_name": last_name})
        for role, district, region in grants:
            grant_role(user, role, district=district, region=region, by=by, actor=actor)
    return user


def set_active(user, active: bool, *, by: Any = None, actor: str, why: str = ""):
    """Let a user sign in again, or stop them (never deleted: their history stays theirs)."""
    _require_manages(by, user)
    with transaction.atomic():
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(actor, "user.activated" if active else "user.deactivated", "user", user.username, why=why,
                     before={"is_active": before}, after={"is_active": active})
    return user


def grant_role(user, role: Role | str, *, district: Any = None, region: Any = None, by: Any = None, actor: str,
               why: str = "") -> RoleGrant:
    """Give a user a role (in a district for the district roles, in a region for the regional administrator).
    Granting a role the user already holds there changes nothing."""
    role = Role(role)
    _check_where(role, district, region)
    _require_may_grant(by, role, district)
    with transaction.atomic():
        existing = RoleGrant.objects.active().filter(user=user, role=role, district=district, region=region).first()
        if existing:
            return existing
        grant = RoleGrant.objects.create(user=user, role=role, district=district, region=region, granted_by=by)
        audit.record(actor, "role.granted", "user", user.username, why=why, after=_grant_state(grant))
    _forget_scope(user)
    return grant


def end_grant(grant: RoleGrant, *, by: Any = None, actor: str, why: str = "") -> RoleGrant:
    """End a role grant (kept, with when and by whom)."""
    _require_may_grant(by, Role(grant.role), grant.district)
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.ended_at is not None:
            return grant
        grant.ended_at, grant.ended_by = timezone.now(), by
        grant.save(update_fields=["ended_at", "ended_by"])
        audit.record(actor, "role.ended", "user", grant.user.username, why=why, before=_grant_state(grant))
    _forget_scope(grant.user)
    return grant


def issue_token(user, *, by: Any = None, actor: str, why: str = "") -> tuple[ApiToken, str]:
    """A new API token for the user, and its key: shown this once, only its hash is kept."""
    _require_manages(by, user)
    key = new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, key_hash=hash_key(key), prefix=key[:8])
        audit.record(actor, "token.issued", "user", user.username, why=why, after={"token": token.pk,
                                                                                  "prefix": token.prefix})
    return token, key


def revoke_token(token: ApiToken, *, by: Any = None, actor: str, why: str = "") -> ApiToken:
    """Revoke a token: from now on it authenticates nobody. Revoking it again changes nothing."""
    _require_manages(by, token.user)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor, "token.revoked", "user", token.user.username, why=why,
                         after={"token": token.pk, "prefix": token.prefix})
    return token


def _check_where(role: Role, district: Any, region: Any) -> None:
    if role in DISTRICT_ROLES:
        if district is None or region is not None:
            raise ValidationError({"district": _("The role %(role)s is held in a district: name one.")
                                   % {"role": role.label}})
    elif role in REGION_ROLES:
        if region is None or district is not None:
            raise ValidationError({"region": _("The role %(role)s is held in a region: name one.")
                                   % {"role": role.label}})
    elif district is not None or region is not None:
        raise ValidationError({"role": _("The role %(role)s is statewide: it takes no district or region.")
                               % {"role": role.label}})


def _require_may_grant(by: Any, role: Role, district: Any) -> None:
    if by is None:
        return
    scope = scope_for(by)
    if scope.may("users.manage"):
        return
    if role in DISTRICT_SECURITY_GRANTS and district is not None and \
            district.pk in scope.district_ids(Role.DISTRICT_SECURITY):
        return
    raise PermissionDenied("district_users.manage")


def _require_manages(by: Any, user) -> None:
    if by is not None and not scope_for(by).users().filter(pk=user.pk).exists():
        raise PermissionDenied("users.manage")


def _grant_state(grant: RoleGrant) -> dict:
    return {"grant": grant.pk, "role": grant.role, "district": grant.district.district_id if grant.district else None,
            "region": grant.region.name if grant.region else None}


def _forget_scope(user) -> None:
    """The user's grants changed: their scope is made again on next use."""
    user.__dict__.pop("_mepsis_scope", None)

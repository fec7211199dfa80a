import json
import os
import sys
from getpass import getpass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from mepsis.access import actions
from mepsis.access.audit import cli_actor
from mepsis.access.models import DISTRICT_ROLES, REGION_ROLES, Role, RoleGrant
from mepsis.cli import EXIT_CANNOT_RUN, EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand
from mepsis.orgs.models import District, Region

ROLES = [role.value for role in Role]


class Command(MepsisCommand):
    help = "Add users, grant and end their roles, issue and revoke API tokens."

    def add_arguments(self, parser):
        actions_ = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions_.add_parser(
            "add", help="add a user with a role",
            description="Add a user with a role (roles.md). The district roles (district_staff, "
                        "district_summary, district_security, sis_client) take one or more --district, "
                        "regional_admin a --region. The password comes from MEPSIS_PASSWORD, else it is asked "
                        "for; --no-password for an API client, which signs in by token only.")
        add.add_argument("username")
        add.add_argument("--email", default="")
        add.add_argument("--no-password", action="store_true", help="no password (an API client)")
        grant = actions_.add_parser("grant", help="give a user a role",
                                    description="Give an existing user a role (in districts or a region).")
        grant.add_argument("username")
        end = actions_.add_parser("end-grant", help="end a user's role",
                                  description="End a user's role (in the districts or region named). The grant "
                                              "is kept, with when it ended.")
        end.add_argument("username")
        for subparser in (add, grant, end):
            subparser.add_argument("--role", required=True, choices=ROLES, metavar="ROLE",
                                   help=f"one of {', '.join(ROLES)}")
            subparser.add_argument("--district", action="append", default=[], metavar="ID",
                                   help="a district id (repeat for several districts)")
            subparser.add_argument("--region", metavar="NAME", help="a region's name")
            subparser.add_argument("--why", default="", help="why (kept in the audit log)")
        token = actions_.add_parser("token", help="issue a new API token and print it",
                                    description="Issue a new API token for a user and print its key, once: "
                                                "only its hash is kept.")
        token.add_argument("username")
        token.add_argument("--why", default="")
        revoke = actions_.add_parser("revoke-token", help="revoke a user's API tokens",
                                     description="Revoke the API token whose key starts with --prefix, or "
                                                 "with --all every live token of the user.")
        revoke.add_argument("username")
        which = revoke.add_mutually_exclusive_group(required=True)
        which.add_argument("--prefix", help="the first 8 characters of the key (`mepsis users list` shows them)")
        which.add_argument("--all", action="store_true")
        revoke.add_argument("--why", default="")
        listing = actions_.add_parser("list", help="the users, their roles and tokens")
        listing.add_argument("--format", choices=("text", "json"), default="text")

    def run(self, action, **options) -> int:
        try:
            return getattr(self, f"run_{action.replace('-', '_')}")(**options)
        except ValidationError as error:
            for message in error.messages:
                self.say(message)
            return EXIT_INPUT_ERRORS

    def run_add(self, username, role, district, region, email, no_password, why, **options) -> int:
        grants = self._grants(role, district, region)
        if grants is None:
            return EXIT_INPUT_ERRORS
        password = None
        if not no_password:
            password = os.environ.get("MEPSIS_PASSWORD")
            if not password:
                if not sys.stdin.isatty():
                    self.say(gettext("Set MEPSIS_PASSWORD, or run this at a terminal to be asked for the "
                                     "password (--no-password for an API client)."))
                    return EXIT_CANNOT_RUN
                password = getpass(gettext("Password: "))
                if password != getpass(gettext("Password (again): ")):
                    self.say(gettext("The two passwords differ."))
                    return EXIT_INPUT_ERRORS
        actions.add_user(username, password, grants=grants, actor=cli_actor(), email=email)
        self.say(gettext("Added %(username)s as %(role)s.") % {"username": username, "role": role})
        return EXIT_OK

    def run_grant(self, username, role, district, region, why, **options) -> int:
        user, grants = self._user(username), self._grants(role, district, region)
        if user is None or grants is None:
            return EXIT_INPUT_ERRORS
        for role_, district_, region_ in grants:
            actions.grant_role(user, role_, district=district_, region=region_, actor=cli_actor(), why=why)
        self.say(gettext("%(username)s holds %(role)s.") % {"username": username, "role": role})
        return EXIT_OK

    def run_end_grant(self, username, role, district, region, why, **options) -> int:
        user, grants = self._user(username), self._grants(role, district, region)
        if user is None or grants is None:
            return EXIT_INPUT_ERRORS
        ended = 0
        for role_, district_, region_ in grants:
            for grant in RoleGrant.objects.active().filter(user=user, role=role_, district=district_, region=region_):
                actions.end_grant(grant, actor=cli_actor(), why=why)
                ended += 1
        if not ended:
            self.say(gettext("%(username)s does not hold that role there.") % {"username": username})
            return EXIT_INPUT_ERRORS
        self.say(gettext("Ended %(count)d grant(s) of %(username)s.") % {"count": ended, "username": username})
        return EXIT_OK

    def run_token(self, username, why, **options) -> int:
        user = self._user(username)
        if user is None:
            return EXIT_INPUT_ERRORS
        _, key = actions.issue_token(user, actor=cli_actor(), why=why)
        self.stdout.write(key)
        self.say(gettext("A new token for %(username)s; keep the key, it is not shown again.")
                 % {"username": username})
        return EXIT_OK

    def run_revoke_token(self, username, prefix, all, why, **options) -> int:
        user = self._user(username)
        if user is None:
            return EXIT_INPUT_ERRORS
        tokens = user.api_tokens.filter(revoked_at__isnull=True)
        if prefix:
            tokens = tokens.filter(prefix=prefix)
        tokens = list(tokens)
        if not tokens:
            self.say(gettext("%(username)s has no live token like that.") % {"username": username})
            return EXIT_INPUT_ERRORS
        for token in tokens:
            actions.revoke_token(token, actor=cli_actor(), why=why)
        self.say(gettext("Revoked %(count)d token(s) of %(username)s.") % {"count": len(tokens), "username": username})
        return EXIT_OK

    def run_list(self, format, **options) -> int:
        users = get_user_model().objects.order_by("username").prefetch_related("role_grants__district",
                                                                              "role_grants__region", "api_tokens")
        rows = [{
            "username": user.username, "active": user.is_active,
            "roles": [{"role": grant.role, "district": grant.district and grant.district.district_id,
                       "region": grant.region and grant.region.name}
                      for grant in user.role_grants.all() if grant.ended_at is None],
            "tokens": [token.prefix for token in user.api_tokens.all() if token.revoked_at is None],
        } for user in users]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return EXIT_OK
        for row in rows:
            roles = ", ".join(role["role"] + (f" {role['district'] or role['region']}"
                                              if role["district"] or role["region"] else "") for role in row["roles"])
            inactive = "" if row["active"] else f" ({gettext('inactive')})"
            tokens = f"  tokens: {' '.join(row['tokens'])}" if row["tokens"] else ""
            self.stdout.write(f"{row['username']}{inactive}: {roles or '-'}{tokens}")
        return EXIT_OK

    def _user(self, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            self.say(gettext("There is no user %(username)s.") % {"username": username})
        return user

    def _grants(self, role, district_ids, region_name):
        """The (role, district, region) grants the options name, or None after saying what is wrong."""
        role = Role(role)
        if role in REGION_ROLES:
            region = Region.objects.filter(name=region_name).first() if region_name else None
            if region_name and region is None:
                self.say(gettext("There is no region %(region)s.") % {"region": region_name})
                return None
            if district_ids:
                self.say(gettext("The role %(role)s takes a --region, not a --district.") % {"role": role.value})
                return None
            return [(role, None, region)]
        if region_name:
            self.say(gettext("Only regional_admin takes a --region."))
            return None
        if role not in DISTRICT_ROLES:
            if district_ids:
                self.say(gettext("The role %(role)s is statewide: it takes no --district.") % {"role": role.value})
                return None
            return [(role, None, None)]
        districts = {district.district_id: district for district in District.objects.filter(district_id__in=district_ids)}
        unknown = [district_id for district_id in district_ids if district_id not in districts]
        if unknown:
            self.say(gettext("There is no district %(district)s.") % {"district": ", ".join(unknown)})
            return None
        return [(role, districts[district_id], None) for district_id in dict.fromkeys(district_ids)] or [(role, None, None)]

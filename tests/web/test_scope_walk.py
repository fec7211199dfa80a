"""Every page of mepsis.web, walked by a user of each role and by an anonymous visitor, against records in
and out of the user's scope (roles.md: "a record outside the user's scope answers as if it did not exist").

The pages are found by resolving the URL patterns of ``mepsis.web.urls``, so a page added there is walked
without changing this test, as long as its URL parameters name records this test knows (``RECORDS``; an
unknown parameter fails the test and says so). For each page and role:

- an anonymous visitor is sent to sign in;
- a page without a record answers 200, or 403 when the role may not enter it (a page that redirects a GET
  answers as the page it sends to);
- a page of a record answers for a record that does not exist either 404 (the role may enter) or 403;
  for a record out of the user's scope exactly as for one that does not exist; and for a record in scope
  200 where the role may enter, 403 where it may not.

A page that only takes POST is walked with an empty POST (the test client does not check CSRF tokens), which
it does (a redirect) or refuses beside the fields (200 or 400). Which
children a role sees is the fixed table of ``mepsis.access.testing``; for the other records, the scope's own
querysets say which are in scope (their rules are tested in tests/access), and this test checks that the
pages keep to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, reverse

from mepsis.access.models import Role, RoleGrant
from mepsis.access.scope import scope_for
from mepsis.access.testing import VISIBLE_CHILDREN, SmallState, small_state
from mepsis.web import urls as web_urls
from mepsis.web.views import dashboards

pytestmark = pytest.mark.django_db

# Pages anyone may open, signed in or not.
PUBLIC = {"login", "logout", "set_language"}


@dataclass(frozen=True)
class Records:
    """The records a URL parameter names: all of them in the small state, the parameter's value for one,
    a value naming none, and whether a user sees one."""

    all: Callable[[SmallState], list]
    value: Callable[[Any], Any]
    missing: Any
    visible: Callable[[Any, SmallState, Any], bool]


def _in(queryset_of: str) -> Callable[[Any, SmallState, Any], bool]:
    return lambda user, state, record: getattr(scope_for(user), queryset_of)().filter(pk=record.pk).exists()


def _child_visible(user, state, child) -> bool:
    role = next(role for role, holder in state.users.items() if holder.pk == user.pk)
    return any(state.children[name].pk == child.pk for name in VISIBLE_CHILDREN[role])


RECORDS: dict[str, Records] = {
    "child_id": Records(lambda state: list(state.children.values()), lambda child: child.child_id, "NO-SUCH-CHILD",
                        _child_visible),
    "coe_id": Records(lambda state: list(state.coes.values()), lambda coe: coe.coe_id, "WI-NO-SUCH-COE",
                      _in("coes")),
    "alert_id": Records(lambda state: list(state.alerts.values()), lambda alert: alert.pk, 999999, _in("alerts")),
    "referral_id": Records(lambda state: list(state.referrals.values()), lambda referral: referral.pk, 999999,
                           _in("referrals")),
    "candidate_id": Records(lambda state: list(state.candidates.values()), lambda candidate: candidate.pk, 999999,
                            _in("candidates")),
    "service_id": Records(lambda state: list(state.services.values()), lambda service: service.pk, 999999,
                          _in("services")),
    "enrollment_id": Records(lambda state: list(state.enrollments.values()), lambda enrollment: enrollment.pk,
                             999999, _in("enrollments")),
    "user_id": Records(lambda state: list(state.users.values()), lambda user: user.pk, 999999, _in("users")),
    # Not records: every user may ask for each of them; what the page shows comes from the user's scope.
    "key": Records(lambda state: list(dashboards.CHARTS), lambda key: key, "no-such-table",
                   lambda user, state, key: True),
    "grant_id": Records(lambda state: list(RoleGrant.objects.order_by("pk")), lambda grant: grant.pk, 999999,
                        lambda user, state, grant: scope_for(user).users().filter(pk=grant.user_id).exists()),
}


def _patterns(patterns, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append((prefix + str(pattern.pattern), pattern))
    return found


PAGES = sorted((route, pattern.name, tuple(pattern.pattern.converters)) for route, pattern
               in _patterns(web_urls.urlpatterns) if pattern.name not in PUBLIC)
USERS = [*Role, None]  # None: an anonymous visitor
# What a page the user may enter answers: a GET shows it; an empty POST is done (a redirect) or refused with
# the form's messages (200, or 400 where the page says "bad request").
ALLOWED = {"GET": (200,), "POST": (200, 302, 400)}


def test_the_walk_finds_the_pages_of_every_area():
    names = {name for _, name, _ in PAGES}
    assert {"home", "children", "child", "district_alerts", "people", "audit"} <= names


@pytest.mark.parametrize("role", USERS, ids=lambda role: role.value if role else "anonymous")
@pytest.mark.parametrize("route, name, parameters", PAGES, ids=[route or "/" for route, _, _ in PAGES])
def test_every_page_answers_each_role_by_its_scope(client, route, name, parameters, role):
    unknown = [parameter for parameter in parameters if parameter not in RECORDS]
    assert not unknown, f"{route}: teach this test which records {unknown} name (RECORDS)"
    state = small_state()
    if role is None:
        _check_anonymous(client, state, name, parameters)
        return
    user = state.users[role]
    client.force_login(user)
    if not parameters:
        status, method = _answer_by(client, reverse(name))
        assert status in ALLOWED[method] + (403,), f"{route} as {role.value}: {status}"
        return
    # Each parameter in turn names the record under test; the others name a record the user sees.
    for parameter in parameters:
        records = RECORDS[parameter]
        visible = [record for record in records.all(state) if records.visible(user, state, record)]
        hidden = [record for record in records.all(state) if not records.visible(user, state, record)]
        others = {other: _visible_value(other, user, state) for other in parameters if other != parameter}
        if None in others.values():
            continue
        missing = _answer(client, reverse(name, kwargs={**others, parameter: records.missing}))
        assert missing in (403, 404), f"{route} as {role.value}, no such record: {missing}"
        for record in hidden:
            status = _answer(client, reverse(name, kwargs={**others, parameter: records.value(record)}))
            assert status == missing, (f"{route} as {role.value}, {parameter}={records.value(record)} out of scope:"
                                       f" {status}, but {missing} for a record that does not exist")
        for record in visible:
            status, method = _answer_by(client, reverse(name, kwargs={**others, parameter: records.value(record)}))
            expected = (403,) if missing == 403 else ALLOWED[method]
            assert status in expected, f"{route} as {role.value}, {parameter}={records.value(record)} in scope: {status}"
            if method == "POST":  # one change is enough, and the next could undo the user's own grant
                break


def _visible_value(parameter: str, user, state: SmallState):
    records = RECORDS[parameter]
    return next((records.value(record) for record in records.all(state) if records.visible(user, state, record)),
                None)


def _check_anonymous(client, state: SmallState, name: str, parameters) -> None:
    kwargs = {parameter: RECORDS[parameter].value(RECORDS[parameter].all(state)[0]) for parameter in parameters}
    url = reverse(name, kwargs=kwargs)
    answer = client.get(url)
    if answer.status_code == 405:
        answer = client.post(url)
    assert answer.status_code == 302 and answer.url.startswith(reverse(settings.LOGIN_URL)), \
        f"{url} answered {answer.status_code} to an anonymous visitor"


def _answer(client, url: str) -> int:
    return _answer_by(client, url)[0]


def _answer_by(client, url: str) -> tuple[int, str]:
    """The status of the page and the method that got it: GET, or an empty POST for a page that only takes
    POST. A redirect to sign in would mean the signed-in user was not recognised: it fails the walk."""
    answer, method = client.get(url), "GET"
    if answer.status_code == 405:
        answer, method = client.post(url), "POST"
    assert not (answer.status_code == 302 and answer.url.startswith(reverse(settings.LOGIN_URL))), url
    if method == "GET" and answer.status_code == 302:
        # A page that sends the user elsewhere (a COE no longer editable to its page): where it sends them.
        return _answer_by(client, answer.url)[0], method
    return answer.status_code, method

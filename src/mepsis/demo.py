"""The demo: a realistic synthetic state in its own SQLite file, with one user per role, to look around in.

``build_demo_state`` makes, with ``mepsis.synth`` and the same actions the command line uses: a few hundred
districts in CESA regions, a few thousand COEs of three seasons in every status (some with the defects a
reviewer must catch), the recruiter's own drafts and returned COEs, a nightly enrollment feed of this
school year already ingested (so there are Migrant Student Enrollment Alerts and possible matches to
decide), a few referrals, and a user for each role of roles.md.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SEED = 2026
DISTRICTS, REGIONS = 300, 12
COES_PER_SEASON = 1200
FEED_ROWS = 12_000
# The share of each status among a season's COEs: the latest season is still being reviewed.
SEASON_STATUSES = [
    {"approved": 92, "void": 3, "rejected": 5},
    {"approved": 85, "void": 2, "rejected": 5, "returned": 3, "submitted": 5},
    {"approved": 50, "submitted": 25, "returned": 10, "draft": 10, "rejected": 5},
]
DEFECT_RATE = 0.04
# How many of the latest season's COEs the demo recruiter wrote, by status.
RECRUITER_SHARE = 12


@dataclass
class DemoUser:
    role: str
    username: str
    password: str
    where: str = ""


@dataclass
class DemoState:
    districts: int = 0
    schools: int = 0
    coes: dict[str, int] = field(default_factory=dict)
    feed: dict = field(default_factory=dict)
    users: list[DemoUser] = field(default_factory=list)


def demo_database_url() -> str:
    return f"sqlite:///{demo_database_path()}"


def demo_database_path() -> Path:
    data_dir = Path(os.environ.get("MEPSIS_DATA_DIR") or "var").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir / "demo.sqlite3"


# Every demo user's password: the demo is public, its data synthetic.
DEMO_PASSWORD = "cherry-harvest-2026"


def build_demo_state(*, actor: str, today: dt.date | None = None) -> DemoState:
    """Fill an empty, migrated database with the demo state (run once, on a fresh database)."""
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from mepsis import synth
    from mepsis.enrollments.actions import ingest_feed
    from mepsis.orgs.actions import load_orgs
    from mepsis.reference.actions import load_descriptors
    from mepsis.registry.actions import save_coes
    from mepsis.registry.models import Coe

    today = today or timezone.localdate()
    call_command("migrate", interactive=False, verbosity=0)
    load_descriptors(actor=actor)
    state = DemoState()
    orgs = synth.make_orgs(SEED, districts=DISTRICTS, regions=REGIONS)
    with tempfile.TemporaryDirectory() as folder:
        synth.write_orgs_csv(orgs, Path(folder) / "orgs.csv")
        report = load_orgs(Path(folder) / "orgs.csv", actor=actor)
        state.districts, state.schools = report.districts_created, report.schools_created

        district_ids = [row["district_id"] for row in orgs if not row["school_id"]]
        cities = synth.district_cities(orgs)
        documents = []
        for offset, statuses in enumerate(SEASON_STATUSES):
            season = today.year - len(SEASON_STATUSES) + 1 + offset
            documents += synth.make_coes(SEED + season, COES_PER_SEASON, district_ids=district_ids, year=season,
                                         statuses=statuses, defect_rate=DEFECT_RATE, today=today, cities=cities)
        # The few whose deliberate defect leaves them incomplete are refused, as an import would refuse them.
        save_coes(((document["coe_id"], document) for document in documents), actor=actor, why="demo state")
        state.coes = dict(Coe.objects.values_list("status").annotate(Count("pk")).values_list("status", "pk__count"))

        school_year, as_of = _feed_year(today)
        feed = (row for row, _truth in synth.make_feed(SEED, coes=documents, orgs=orgs, rows=FEED_ROWS,
                                                         school_year=school_year, as_of=as_of))
        synth.write_feed(feed, Path(folder) / "feed.csv")
        state.feed = ingest_feed(Path(folder) / "feed.csv", source="demo", actor=actor).as_dict()
    state.users = _users(documents, actor=actor)
    return state


def _feed_year(today: dt.date) -> tuple[str, dt.date]:
    """The school year of tonight's feed and the night it is pulled: a feed's school year has begun by
    August (in July the districts still send the one that just ended)."""
    from mepsis.rules.periods import year_name

    start = today.year if today.month >= 8 else today.year - 1
    return year_name(start), today


def _users(documents: list[dict], *, actor: str) -> list[DemoUser]:
    """One user per role; the district users in the district with the most alerted children, the regional
    administrator in its region; the recruiter wrote some of the latest season's COEs and has referrals."""
    from django.db.models import Count

    from mepsis.access.actions import add_user
    from mepsis.access.models import CoeAuthor, Role
    from mepsis.alerts.actions import assign_referral, refer_family
    from mepsis.alerts.models import Alert
    from mepsis.orgs.models import District
    from mepsis.registry.models import Coe

    busiest = (Alert.objects.filter(kind=Alert.Kind.DISTRICT_ENROLLMENT).values("district")
               .annotate(children=Count("children")).order_by("-children").first())
    district = District.objects.get(pk=busiest["district"]) if busiest else District.objects.order_by("pk").first()
    users, made = [], {}
    for role in Role:
        where_district = district if role in (Role.DISTRICT_STAFF, Role.DISTRICT_SUMMARY, Role.DISTRICT_SECURITY,
                                              Role.SIS_CLIENT) else None
        region = district.region if role == Role.REGIONAL_ADMIN else None
        username = f"demo-{role.value.replace('_', '-')}"
        made[role] = add_user(username, DEMO_PASSWORD, grants=[(role, where_district, region)],
                              actor=actor, first_name=str(role.label).capitalize(), last_name="Demo")
        where = where_district or region
        users.append(DemoUser(role.value, username, DEMO_PASSWORD, str(where.name) if where else ""))

    # The recruiter's own COEs: every RECRUITER_SHARE-th of the latest season, so each status has some.
    latest = [document["coe_id"] for document in documents[-COES_PER_SEASON:]]
    authored = Coe.objects.filter(coe_id__in=latest[::RECRUITER_SHARE])
    CoeAuthor.objects.bulk_create([CoeAuthor(coe=coe, user=made[Role.RECRUITER]) for coe in authored])
    for number, family in enumerate(("Hernández", "Morales", "Xol Caal")):
        referral = refer_family(by=made[Role.DISTRICT_STAFF], district=district, school=district.schools.first(),
                                family_name=family, contact=f"608-555-01{number:02d}",
                                notes="Parents work at the apple orchard since September.")
        if number < 2:
            assign_referral(referral.pk, recruiter=made[Role.RECRUITER], by=made[Role.STATE_ADMIN])
    return users

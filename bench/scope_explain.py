"""The plans and times of scoped children lists on a loaded database (read-only: it writes nothing).

    MEPSIS_DATABASE_URL=postgresql://.../DB .venv/bin/python bench/scope_explain.py [SCHOOL_YEAR]

For the district with the most linked enrollments, and its region: the first 25 children by name and the
count, as a district staff member and a regional administrator see them (``mepsis.access.scope``), with
PostgreSQL's EXPLAIN ANALYZE. SCHOOL_YEAR (default: the most common one in the data) stands for "this
school year".
"""

import datetime as dt
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mepsis.settings")
os.environ.setdefault("MEPSIS_SECRET_KEY", "bench")
django.setup()

from django.db.models import Count  # noqa: E402

from mepsis.access.scope import Scope  # noqa: E402
from mepsis.enrollments.models import Enrollment  # noqa: E402
from mepsis.orgs.models import District  # noqa: E402
from mepsis.rules.periods import school_year  # noqa: E402


def main() -> None:
    year = sys.argv[1] if len(sys.argv) > 1 else (
        Enrollment.objects.values("school_year").annotate(n=Count("*")).order_by("-n")[0]["school_year"])
    busiest = (Enrollment.objects.exclude(child=None).values("district_id").annotate(n=Count("*"))
               .order_by("-n")[0])
    district = District.objects.get(pk=busiest["district_id"])
    on = school_year(year).first_day + dt.timedelta(days=90)
    print(f"district {district.district_id} ({busiest['n']} linked enrollments), school year {year}")
    for role, grant in (("district_staff", ("district_staff", district.pk, None)),
                        ("regional_admin", ("regional_admin", None, district.region_id))):
        scope = Scope(None, [grant], on=on)
        page = scope.children().order_by("last_name_1", "first_name", "pk")[:25]
        for label, plan in (("page of 25", page.explain(analyze=True)),
                            ("count", scope.children().values("pk").explain(analyze=True))):
            lines = plan.splitlines()
            print(f"{role} {label}: {lines[-1].strip()}; top node: {lines[0].strip()[:100]}")


if __name__ == "__main__":
    main()

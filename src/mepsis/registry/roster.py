"""The children of each district (``DistrictChild``), kept up to date by the writes that change them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from mepsis.enrollments.models import Enrollment
from mepsis.orgs.models import District
from mepsis.reports.smepa import id_list

from .models import Child, Coe, CoeChild, DistrictChild

# Above this many children a refresh rewrites every district's rows: cheaper than a long list of ids.
REFRESH_ALL_ABOVE = 20_000


def refresh_roster(child_ids: Iterable[int] | None = None) -> None:
    """Rewrite the district rows of these children (by primary key; every child when None), in the caller's
    transaction: one DELETE and one INSERT ... SELECT, whatever their number."""
    ids = None if child_ids is None else sorted({int(pk) for pk in child_ids})
    if ids == []:
        return
    if ids is not None and len(ids) > REFRESH_ALL_ABOVE:
        ids = None
    rows, where, params = DistrictChild.objects.all(), "", []
    if ids is not None:
        chosen = id_list(ids)
        rows = rows.filter(child_id__in=chosen)
        where, params = f" AND x.child_id IN ({chosen.sql})", list(chosen.params)
    with transaction.atomic(), connection.cursor() as cursor:
        rows.delete()
        table, child, enrollment, entry, coe, district = (model._meta.db_table for model in (
            DistrictChild, Child, Enrollment, CoeChild, Coe, District))
        cursor.execute(
            f"INSERT INTO {table} (district, child_id, last_name_1, last_name_2, first_name, child_key) "
            f"SELECT m.district, c.id, c.last_name_1, c.last_name_2, c.first_name, c.child_id FROM ("
            f" SELECT d.district_id AS district, x.child_id FROM {enrollment} x"
            f" JOIN {district} d ON d.id = x.district_id WHERE x.child_id IS NOT NULL{where}"
            f" UNION SELECT o.to_district_id, x.child_id FROM {entry} x JOIN {coe} o ON o.id = x.coe_id"
            f" WHERE o.to_district_id <> ''{where}"
            f") m JOIN {child} c ON c.id = m.child_id", [*params, *params])

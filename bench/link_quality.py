"""How right the links of an ingest are, against the truth file of a generated feed.

    python bench/link_quality.py DATABASE_URL [--feed bench/out/feed-1m.csv] [--truth bench/out/feed-1m.truth.jsonl]

Run after `bench/ingest_bench.py` (its databases are kept): every enrollment linked to a child is checked
against the child the generator says the row belongs to. Precision = right links / links; recall = right
links / rows of certified children (on an approved COE) that the feed holds; and the review list's size.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import polars as pl

OUT = Path(__file__).with_name("out")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--feed", type=Path, default=OUT / "feed-1m.csv")
    parser.add_argument("--truth", type=Path, default=OUT / "feed-1m.truth.jsonl")
    options = parser.parse_args()
    os.environ["MEPSIS_DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mepsis.settings")
    import django

    django.setup()
    from mepsis.enrollments.models import Enrollment
    from mepsis.matching.models import MatchCandidate
    from mepsis.registry.models import CoeChild, CoeStatus

    key = ["district_id", "local_student_id", "school_id", "school_year", "entry_date"]
    feed = pl.read_csv(options.feed, infer_schema=False).with_columns(line=pl.int_range(2, pl.len() + 2))
    truth = pl.read_ndjson(options.truth).filter(pl.col("coe_id").is_not_null())
    rows = feed.join(truth, on="line").select(*key, "coe_id", "child_index")
    children = pl.DataFrame(list(CoeChild.objects.values_list("coe__coe_id", "index", "child_id", "coe__status")),
                            schema={"coe_id": pl.String, "child_index": pl.Int64, "true_child": pl.Int64,
                                    "status": pl.String}, orient="row")
    rows = rows.join(children, on=["coe_id", "child_index"], how="left")
    linked = pl.DataFrame(list(Enrollment.objects.filter(child__isnull=False).values_list(
        "district__district_id", "local_student_id", "school__school_id", "school_year", "entry_date", "child_id",
        "match_method")),
        schema={**{column: pl.String for column in key}, "entry_date": pl.Date, "linked_child": pl.Int64,
                "method": pl.String},
        orient="row").with_columns(pl.col("entry_date").cast(pl.String))
    judged = linked.join(rows, on=key, how="left")
    right = judged.filter(pl.col("linked_child") == pl.col("true_child")).height
    certified_rows = rows.filter(pl.col("status") == CoeStatus.APPROVED).height
    print(f"links: {linked.height}; right: {right}; precision {right / max(linked.height, 1):.4%}; "
          f"recall of certified children's rows {right / max(certified_rows, 1):.2%} ({certified_rows} rows); "
          f"wrong: {linked.height - right}; for review: {MatchCandidate.objects.count()}")
    wrong = judged.filter((pl.col("linked_child") != pl.col("true_child")) | pl.col("true_child").is_null())
    print("wrong links (method, the row is no certified child's, count):",
          wrong.group_by("method", pl.col("coe_id").is_null().alias("nobody")).len().rows())


if __name__ == "__main__":
    main()

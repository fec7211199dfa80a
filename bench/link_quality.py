"""How right the links of an ingest are, against the truth file of a generated feed.

    python bench/link_quality.py DATABASE_URL [--feed bench/out/feed-1m.csv] [--truth bench/out/feed-1m.truth.jsonl]

Run after an ingest of the feed (bench/link_bench.py or bench/ingest_bench.py keep their databases): every
enrollment linked to a child is checked against the child the generator says the row belongs to. The true
matches are the feed's rows of certified children (on an approved COE). Precision = right links / links;
recall = right links / true matches; recall with the worklist also counts the true matches whose right child
is among the open worklist items of the row; the worklist's size is its open link items, also as a share of
the true matches.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import polars as pl

OUT = Path(__file__).with_name("out")
KEY = ["district_id", "local_student_id", "school_id", "school_year", "entry_date"]


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
    print(json.dumps(judge(options.feed, options.truth), indent=2))


def judge(feed_path: Path, truth_path: Path) -> dict:
    """The figures above, and the wrong links by method, for the database Django is set up with."""
    from mepsis.enrollments.models import Enrollment
    from mepsis.matching.models import MatchCandidate
    from mepsis.registry.models import CoeChild, CoeStatus

    feed = pl.read_csv(feed_path, infer_schema=False, columns=KEY).with_columns(line=pl.int_range(2, pl.len() + 2))
    truth = pl.read_ndjson(truth_path).filter(pl.col("coe_id").is_not_null())
    rows = feed.join(truth, on="line").select(*KEY, "coe_id", "child_index")
    children = pl.DataFrame(list(CoeChild.objects.values_list("coe__coe_id", "index", "child_id", "coe__status")),
                            schema={"coe_id": pl.String, "child_index": pl.Int64, "true_child": pl.Int64,
                                    "status": pl.String}, orient="row")
    rows = rows.join(children, on=["coe_id", "child_index"], how="left")
    enrollments = pl.DataFrame(list(Enrollment.objects.values_list(
        "id", "district__district_id", "local_student_id", "school__school_id", "school_year", "entry_date", "child_id",
        "match_method")),
        schema={"enrollment_id": pl.Int64, **{column: pl.String for column in KEY}, "entry_date": pl.Date,
                "linked_child": pl.Int64, "method": pl.String},
        orient="row").with_columns(pl.col("entry_date").cast(pl.String))
    judged = enrollments.join(rows, on=KEY, how="left")
    linked = judged.filter(pl.col("linked_child").is_not_null())
    right = linked.filter(pl.col("linked_child") == pl.col("true_child"))
    matches = judged.filter(pl.col("status") == CoeStatus.APPROVED)
    items = pl.DataFrame(list(MatchCandidate.objects.filter(status=MatchCandidate.Status.OPEN, kind="link")
                              .values_list("enrollment_id", "child_id")),
                         schema={"enrollment_id": pl.Int64, "child_id": pl.Int64}, orient="row")
    found_in_worklist = matches.join(items, left_on=["enrollment_id", "true_child"],
                                     right_on=["enrollment_id", "child_id"], how="semi") \
        .filter(pl.col("linked_child").is_null())
    wrong = linked.filter((pl.col("linked_child") != pl.col("true_child")) | pl.col("true_child").is_null())
    return {
        "true_matches": matches.height,
        "links": linked.height, "right": right.height, "wrong": wrong.height,
        "precision": round(right.height / max(linked.height, 1), 6),
        "recall_auto": round(right.height / max(matches.height, 1), 6),
        "recall_auto_and_worklist": round((right.height + found_in_worklist.height) / max(matches.height, 1), 6),
        "worklist_link_items": items.height,
        "worklist_share_of_true_matches": round(items.height / max(matches.height, 1), 6),
        "worklist_enrollments": items["enrollment_id"].n_unique(),
        "merge_items": MatchCandidate.objects.filter(status=MatchCandidate.Status.OPEN, kind="merge").count(),
        "links_by_method": dict(linked.group_by("method").len().rows()),
        "wrong_by_method": dict(wrong.group_by("method").len().rows()),
    }


if __name__ == "__main__":
    main()

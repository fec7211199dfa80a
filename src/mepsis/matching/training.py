"""Re-estimating the probabilistic model from a state's own data (``mepsis matching train``).

- m (how often each comparison level holds for one person): from the pairs the state student id proves, an
  enrollment carrying the id of a certified child. Those rows were typed by SIS clerks like any other, so
  they show the real variation of names and dates, and no person has to label anything.
- u (how often it holds for two people): from random pairs of children and enrollments.
- the prior (the chance two random records are one person): the links made so far over all pairs.

The comparisons and blocking rules stay as they are; levels the data does not show keep their values. The
result is written as the next version, which every later run uses.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from mepsis.enrollments.models import Enrollment

from . import splink_engine
from .features import prepare
from .probabilistic import certified_children, unmatched_enrollments

# Enough random pairs for u values of levels as rare as "day and month swapped" (about 1 in 10,000).
RANDOM_PAIRS = 5_000_000


@dataclass
class Trained:
    model: splink_engine.Model
    labelled_pairs: int
    children: int
    enrollments: int


def train(*, engine_name: str | None = None, seed: int = 1) -> Trained:
    """Estimate a new version of the model and write it; refused (ValueError) without labelled pairs."""
    from splink import Linker

    current = splink_engine.current_model()
    children = certified_children()
    enrollments = unmatched_enrollments(linked_too=True)
    ids = children.filter(pl.col("state_student_id") != "")["state_student_id"].implode()
    label = pl.when(pl.col("state_student_id").is_in(ids)).then(pl.col("state_student_id")).alias("label")
    left = prepare(children).with_columns(children.select(label))
    right = prepare(enrollments).with_columns(enrollments.select(label))
    labelled = right["label"].drop_nulls().len()
    if not labelled:
        raise ValueError("no enrollment carries the state student id of a certified child: nothing to learn m from")
    settings = current.settings(additional_columns_to_retain=["label"])
    with splink_engine.engine(engine_name) as (api, load):
        linker = Linker([load(left, "children"), load(right, "enrollments")], settings, log_level=None)
        linker.training.estimate_u_using_random_sampling(max_pairs=RANDOM_PAIRS, seed=seed)
        linker.training.estimate_m_from_label_column("label")
        linked = Enrollment.objects.filter(child__isnull=False).count()
        prior = max(linked, labelled) / (children.height * max(enrollments.height, 1))
        trained = linker.misc.save_model_to_json()
    trained = _keep_unobserved(trained, current.settings())
    trained["probability_two_random_records_match"] = prior
    trained["additional_columns_to_retain"] = []
    version = current.version + 1
    folder = splink_engine.trained_models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"linkage_model_v{version}.json"
    path.write_text(json.dumps(trained, indent=1, ensure_ascii=False) + "\n")
    return Trained(splink_engine.Model(version, path), labelled, children.height, enrollments.height)


def _keep_unobserved(trained: dict, current: dict) -> dict:
    """A level the data did not show keeps the value it had; a value is a probability in (0, 1]."""
    old = {(item["output_column_name"], level["label_for_charts"]): level
           for item in current["comparisons"] for level in item["comparison_levels"]}
    for item in trained["comparisons"]:
        for level in item["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            before = old.get((item["output_column_name"], level["label_for_charts"]), {})
            for key in ("m_probability", "u_probability"):
                value = level.get(key)
                if not isinstance(value, (int, float)) or not 0 < value <= 1 or math.isnan(value):
                    level[key] = before.get(key)
    return trained


def describe(path: Path) -> list[tuple[str, str, float]]:
    """(comparison, level, match weight) of every level of a model file, for people to read."""
    model = json.loads(path.read_text())
    return [(item["output_column_name"], level["label_for_charts"], math.log2(level["m_probability"] /
                                                                              level["u_probability"]))
            for item in model["comparisons"] for level in item["comparison_levels"] if not level.get("is_null_level")]

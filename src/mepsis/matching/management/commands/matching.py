import json

from django.utils.translation import gettext, ngettext

from mepsis.access import audit
from mepsis.access.audit import cli_actor
from mepsis.cli import EXIT_CANNOT_RUN, EXIT_INPUT_ERRORS, EXIT_OK, MepsisCommand, progress
from mepsis.matching.actions import accept_candidate, link_again, reject_candidate
from mepsis.matching.models import MatchCandidate
from mepsis.matching.queries import FIELDS, worklist, worklist_items
from mepsis.matching.training import describe, train
from mepsis.registry.actions import ActionRefused

ENGINES = ("duckdb", "spark")


class Command(MepsisCommand):
    help = "The match worklist (accept, reject), linking again, and training the probabilistic model."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser(
            "worklist", help="the pairs a person must decide, the highest score first",
            description="List the match worklist: enrollments that may belong to a certified child, and pairs of "
                        "children who may be one person (merge candidates), each with both records side by side "
                        "and the match weight of each comparison.")
        listing.add_argument("--status", choices=(*MatchCandidate.Status.values, "all"), default="open")
        listing.add_argument("--kind", choices=MatchCandidate.Kind.values, help="only links or only merges")
        listing.add_argument("--limit", type=int, default=0, help="at most this many items (default: all)")
        listing.add_argument("--format", choices=("text", "json"), default="text")
        for name, help_text in (("accept", "accept an item: link the enrollment (then alerts and SMEPA), or merge"),
                                ("reject", "reject an item: the pair is never proposed again")):
            action = actions.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
            action.add_argument("candidate_id", metavar="ID", type=int, help="the item's id, as the worklist shows it")
            if name == "reject":
                action.add_argument("--why", default="", help="why (kept in the audit log)")
        link = actions.add_parser(
            "link", help="link every unmatched enrollment again, with the current model",
            description="Link every unmatched enrollment against every certified child again (exact pass, then "
                        "the probabilistic model), then raise alerts and refresh SMEPA, as an ingest does.")
        link.add_argument("--engine", choices=ENGINES, help="default: the MEPSIS_LINK_ENGINE setting (duckdb)")
        link.add_argument("--format", choices=("text", "json"), default="text")
        training = actions.add_parser(
            "train", help="re-estimate the model from this state's data and write a new version",
            description="Re-estimate the probabilistic model's m and u probabilities from this state's own data "
                        "(m from the enrollments whose state student id proves their child, u from random pairs) "
                        "and write it as the next version under MEPSIS_DATA_DIR/linkage-models/; later runs use "
                        "it. The comparisons and blocking rules stay.")
        training.add_argument("--engine", choices=ENGINES, help="default: the MEPSIS_LINK_ENGINE setting (duckdb)")
        training.add_argument("--format", choices=("text", "json"), default="text")

    def run(self, action, **options) -> int:
        return getattr(self, f"run_{action}")(**options)

    def run_worklist(self, status, kind, limit, format, **options) -> int:
        found = worklist(status=None if status == "all" else status, kind=kind)
        items = worklist_items(found[:limit] if limit else found)
        # The items show children's records: listing them is a read, written to the audit log.
        audit.record(cli_actor(), "match_candidate.listed", "match_candidate", "",
                     after={"status": status, "kind": kind, "items": [item["id"] for item in items]})
        if format == "json":
            self.stdout.write(json.dumps(items, ensure_ascii=False))
        else:
            for item in items:
                self.stdout.write(_readable(item), ending="\n\n")
        self.say(ngettext("%(count)d item.", "%(count)d items.", len(items)) % {"count": len(items)})
        return EXIT_OK

    def run_accept(self, candidate_id, **options) -> int:
        return self._decide(candidate_id, lambda candidate: accept_candidate(candidate, cli_actor()),
                            gettext("Item %(id)d accepted."))

    def run_reject(self, candidate_id, why, **options) -> int:
        return self._decide(candidate_id, lambda candidate: reject_candidate(candidate, cli_actor(), why),
                            gettext("Item %(id)d rejected: never proposed again."))

    def _decide(self, candidate_id, decide, done) -> int:
        candidate = MatchCandidate.objects.filter(pk=candidate_id).first()
        if candidate is None:
            self.say(gettext("There is no worklist item %(id)d.") % {"id": candidate_id})
            return EXIT_INPUT_ERRORS
        try:
            decide(candidate)
        except ActionRefused as refused:
            self.say(str(refused))
            return EXIT_INPUT_ERRORS
        self.say(done % {"id": candidate_id})
        return EXIT_OK

    def run_link(self, engine, format, **options) -> int:
        with progress(gettext("Linking")):
            run, report = link_again(cli_actor(), engine_name=engine)
        if format == "json":
            self.stdout.write(json.dumps({"run": run.pk, **run.summary}))
        self.say(gettext("%(linked)d enrollments linked, %(review)d items for the worklist.")
                 % {"linked": report.linked, "review": report.for_review})
        return EXIT_OK

    def run_train(self, engine, format, **options) -> int:
        try:
            with progress(gettext("Training")):
                trained = train(engine_name=engine)
        except ValueError as error:
            self.say(str(error))
            return EXIT_CANNOT_RUN
        audit.record(cli_actor(), "matching.trained", "linkage_model", str(trained.model.version),
                     after={"path": str(trained.model.path), "labelled_pairs": trained.labelled_pairs})
        levels = describe(trained.model.path)
        if format == "json":
            self.stdout.write(json.dumps({
                "version": trained.model.version, "path": str(trained.model.path),
                "labelled_pairs": trained.labelled_pairs,
                "levels": [{"comparison": comparison, "level": level, "weight": round(weight, 2)}
                           for comparison, level, weight in levels]}))
        else:
            for comparison, level, weight in levels:
                self.stdout.write(f"{comparison:<12} {weight:>7.2f}  {level}")
        self.say(gettext("Model version %(version)d written to %(path)s, from %(pairs)d enrollments whose state "
                         "student id proves their child.") % {
            "version": trained.model.version, "path": trained.model.path, "pairs": trained.labelled_pairs})
        return EXIT_OK


def _readable(item: dict) -> str:
    score = "" if item["score"] is None else f", match weight {item['score']:.1f}"
    lines = [f"#{item['id']} {item['kind']} ({item['status']}): {item['reason_label']}{score}"]
    for key, label in FIELDS:
        left, right = item["left"].get(key, ""), item["right"].get(key, "")
        mark = "=" if left and left == right else " "
        lines.append(f"  {str(label):<26} {str(left):<40} {mark} {right}")
    if item["weights"]:
        lines.append("  why: " + ", ".join(f"{weight['comparison']} {weight['weight']:+.1f}"
                                          for weight in item["weights"]))
    return "\n".join(lines)

"""Two reviewers acting on the same COE at the same moment, in two processes (two database connections, as
two gunicorn workers): the registry's row lock lets one in, and the other finds the COE moved on and is
refused with Conflict (the API's 409); the winner's decision is whole."""

import json
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.database, pytest.mark.slow]

DECIDE = """
import datetime, os, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "mepsis.settings"
django.setup()
from mepsis.registry import actions
step, start = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
try:
    if step == "approve":
        actions.approve_coe("WI-2025-RACE01", actor="lee", reviewer_name="J. Lee", on=datetime.date(2025, 6, 24),
                            expected_version=1)
    elif step == "return":
        actions.return_coe("WI-2025-RACE01", actor="kim", reasons=["Check the QAD."], expected_version=1)
    else:
        actions.reject_coe("WI-2025-RACE01", actor="kim", why="No qualifying move.", expected_version=1)
    print("done")
except actions.Conflict as conflict:
    print("conflict:", conflict)
"""


@pytest.mark.parametrize("second", ["return", "reject", "approve"])
def test_of_two_reviewers_deciding_at_once_one_wins_and_the_other_is_told(mepsis_process, example_coe, tmp_path,
                                                                          second):
    assert mepsis_process("init").returncode == 0
    document = example_coe()
    document.update(coe_id="WI-2025-RACE01", status="submitted")
    del document["signatures"]["reviewer"]
    (tmp_path / "coe.json").write_text(json.dumps(document))
    assert mepsis_process("coe", "import", tmp_path / "coe.json").returncode == 0

    start = time.time() + 3  # both processes have started Django by then, and act together
    reviewers = [subprocess.Popen([sys.executable, "-c", DECIDE, step, str(start)], env=mepsis_process.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for step in ("approve", second)]
    answers = [reviewer.communicate(timeout=120) for reviewer in reviewers]

    said = sorted(out.strip().split(":")[0] for out, _ in answers)
    assert said == ["conflict", "done"], answers
    exported = json.loads(mepsis_process("coe", "export").stdout)
    winner = ["approve", second][[out.strip() for out, _ in answers].index("done")]
    assert exported["status"] == {"approve": "approved", "return": "returned", "reject": "rejected"}[winner]
    assert ("reviewer" in exported["signatures"]) == (exported["status"] == "approved")
    assert exported.get("return_reasons", []) == (["Check the QAD."] if winner == "return" else [])

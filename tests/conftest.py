import copy
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from mepsis.cli import main

FIXTURES = Path(__file__).with_name("fixtures")


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def mepsis(capsys):
    """Run the `mepsis` command line in this process, as a shell would, and give back what it did."""

    def run(*argv: str) -> Ran:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


@pytest.fixture
def example_coe():
    """A fresh copy of the COE document of interfaces.md (approved, one eligible child)."""
    example = json.loads((FIXTURES / "coe_example.json").read_text())
    return lambda: copy.deepcopy(example)

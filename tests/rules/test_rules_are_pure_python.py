"""architecture.md: `rules/` is "pure Python, no Django", so the command line, the registry and the
pages use it the same way and it is tested on its own."""

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_rules_engine_imports_without_django():
    code = ("import sys; import mepsis.rules; "
            "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
            "assert not loaded, loaded")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert ran.returncode == 0, ran.stderr

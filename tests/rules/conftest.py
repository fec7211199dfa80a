"""The rules tests run without Django and without installing the package: put ``src`` on the path
when ``mepsis`` is not importable yet (an installed or editable ``mepsis`` takes precedence)."""

import sys
from pathlib import Path

try:
    import mepsis  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

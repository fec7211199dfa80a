"""Reading COE documents from a file: one JSON document, a JSON array, or JSON lines (``-``: standard input).

JSON lines are read one line at a time, so a file of 100,000 COEs never sits in memory whole; a line that
is not JSON becomes an INVALID_JSON finding at its line and the others are still read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from mepsis.rules import N_, Code, Finding


class Unreadable(Exception):
    """Nothing can be read from the file (it does not exist, or is not a JSON file at all)."""


def read_documents(path: str) -> Iterator[tuple[str, Any]]:
    """(position, document) pairs in input order; the position names the file and line for messages."""
    name = "<stdin>" if path == "-" else path
    try:
        handle: IO[bytes] = sys.stdin.buffer if path == "-" else Path(path).open("rb")
    except OSError as error:
        raise Unreadable(f"{name}: cannot be opened ({error.strerror}).") from error
    with handle:
        first = handle.readline()
        stripped = first.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped.startswith(b"["):
            yield from _whole(name, first + handle.read(), array=True)
            return
        if stripped and not _parses(stripped):
            # Not one document a line: a pretty-printed document, or a broken line of JSON lines.
            rest = handle.read()
            if _parses(first + rest):
                yield from _whole(name, first + rest, array=False)
                return
            yield from _lines(name, [first, *rest.splitlines(keepends=True)])
            return
        yield from _lines(name, _chain(first, handle))


def _chain(first: bytes, handle: IO[bytes]) -> Iterator[bytes]:
    yield first
    yield from handle


def _whole(name: str, data: bytes, *, array: bool) -> Iterator[tuple[str, Any]]:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Unreadable(f"{name}: is not valid JSON ({error}).") from error
    if array and isinstance(value, list):
        for position, document in enumerate(value, 1):
            yield f"{name}#{position}", document
    else:
        yield name, value


def _lines(name: str, lines: Any) -> Iterator[tuple[str, Any]]:
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            yield f"{name}:{number}", json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError:
            yield f"{name}:{number}", Finding(Code.INVALID_JSON, "", N_("Line %(line)s is not UTF-8 text."),
                                              {"line": number})
        except json.JSONDecodeError as error:
            yield f"{name}:{number}", Finding(Code.INVALID_JSON, "",
                                              N_("Line %(line)s is not valid JSON: %(error)s."),
                                              {"line": number, "error": error.msg})


def _parses(data: bytes) -> bool:
    try:
        json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return True

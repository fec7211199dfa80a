"""The ``mepsis`` console script: one entry point that runs MEPSIS's Django management commands.

Exit codes (interfaces.md): 0 done; 1 the input had errors (the command did all it could and said what it
refused); 2 usage error or the command could not run (bad option, unreadable file, no database).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.management.base import BaseCommand, CommandError

T = TypeVar("T")

EXIT_OK, EXIT_INPUT_ERRORS, EXIT_CANNOT_RUN = 0, 1, 2

# The order of `mepsis --help`; every MEPSIS command must be listed here.
COMMANDS = ("init", "demo", "serve", "orgs", "coe", "child", "enrollments", "matching", "alerts", "services", "pfs", "report", "export", "users", "audit")

USAGE = """usage: mepsis COMMAND [options]

MEPSIS, the Migrant Education Program student information system.

commands:
{commands}

`mepsis COMMAND --help` describes a command. Django's own commands (shell, dbshell, createsuperuser,
migrate, ...) run the same way.

settings (environment): MEPSIS_DATABASE_URL (default: SQLite under MEPSIS_DATA_DIR, ./var),
MEPSIS_STATE (default WI), MEPSIS_SOON_AFTER_DAYS (default 60), MEPSIS_LANGUAGE (en or es: the
language of the rules' messages); see the README.
"""


class MepsisCommand(BaseCommand):
    """A command whose ``run`` returns the exit code; messages for people go to standard error."""

    requires_system_checks = []
    suppressed_base_arguments = {"--version", "--settings", "--pythonpath", "--traceback", "--no-color",
                                 "--force-color", "--skip-checks"}
    exit_code = EXIT_OK

    def handle(self, *args, **options):
        self.exit_code = self.run(*args, **options)

    def run(self, *args, **options) -> int:
        raise NotImplementedError

    def say(self, message: str) -> None:
        """A message for the person at the terminal (standard error, so standard output stays data)."""
        self.stderr.write(message, style_func=lambda text: text)


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A progress bar on a terminal; nothing at all when standard error is not one.

    Yields ``update(done, step="")``: how much is done, and optionally the step under way.
    """
    if not sys.stderr.isatty():
        yield lambda done, step="": None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=None) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, step="": bar.update(task, completed=done,
                                               description=f"{label}: {step}" if step else label)


def counted(items: Iterable[T], update: Callable[[int], None], every: int = 1000) -> Iterator[T]:
    for number, item in enumerate(items, 1):
        if number % every == 0:
            update(number)
        yield item


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mepsis.settings")
    from django.conf import settings

    if not argv or argv[0] in ("-h", "--help", "help"):
        _print_usage()
        return EXIT_OK
    if argv[0] == "--version":
        from mepsis import __version__

        print(f"mepsis {__version__}")
        return EXIT_OK
    if argv[0] == "demo" and not settings.configured:
        # The demo's synthetic children never go into the database a state configured for real ones.
        from mepsis.demo import demo_database_url

        os.environ["MEPSIS_DATABASE_URL"] = demo_database_url()
    import django
    from django.core.management import ManagementUtility, get_commands, load_command_class
    from django.db import DatabaseError

    django.setup()
    from django.utils import translation

    translation.activate(os.environ.get("MEPSIS_LANGUAGE") or settings.LANGUAGE_CODE)
    name, args = argv[0], argv[1:]
    app = get_commands().get(name)
    if app is None:
        print(f"mepsis: there is no command {name!r}; `mepsis --help` lists them.", file=sys.stderr)
        return EXIT_CANNOT_RUN
    command = load_command_class(app, name)
    if not isinstance(command, MepsisCommand):
        try:
            ManagementUtility(["mepsis", *argv]).execute()
        except SystemExit as exit:
            return _code(exit)
        return EXIT_OK
    command._called_from_command_line = True  # usage errors exit 2 with argparse's message, not an exception
    parser = command.create_parser("mepsis", name)
    try:
        options = vars(parser.parse_args(args))
    except SystemExit as exit:
        return _code(exit)
    positional = options.pop("args", ())
    try:
        command.execute(*positional, **options)
    except CommandError as error:
        print(f"mepsis {name}: {error}", file=sys.stderr)
        return error.returncode if error.returncode != 1 else EXIT_CANNOT_RUN
    except DatabaseError as error:
        print(f"mepsis {name}: the database could not be used ({error}). Is MEPSIS_DATABASE_URL right, and has "
              "`mepsis init` been run?", file=sys.stderr)
        return EXIT_CANNOT_RUN
    return command.exit_code


def _print_usage() -> None:
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    lines = []
    commands = get_commands()
    for name in COMMANDS:
        help_text = load_command_class(commands[name], name).help.strip().splitlines()[0]
        lines.append(f"  {name:<12} {help_text}")
    print(USAGE.format(commands="\n".join(lines)))


def _code(exit: SystemExit) -> int:
    return exit.code if isinstance(exit.code, int) else (EXIT_OK if exit.code is None else EXIT_CANNOT_RUN)

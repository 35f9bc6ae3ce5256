"""The `fileorganizer` command: the same engine as the app, without a window.

Each module in ``app.cli.commands`` adds one subcommand through ``register(subparsers)``;
the parser sets ``args.func(args) -> int`` (the exit code).
Exit codes: 0 done, 1 done with per-file errors (or work left), 2 bad usage or missing root.

Problems every command shares are handled here, once: an ``-o FILE`` that cannot be
written (missing folder, a folder, no permission) is a usage error before any work; a
closed pipe (``| head``) ends the command quietly; an unexpected OS error is one line
``fileorganizer: error: ...``, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import NoReturn

from app import __version__

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

EPILOG = ("Exit codes: 0 done; 1 done, but some files had problems (each one is reported) or "
          "work is left; 2 bad usage (unknown option, missing folder, output that cannot be "
          "written); 130 interrupted by Ctrl+C. `fileorganizer COMMAND --help` describes a command.")


def command_names() -> list[str]:
    """The subcommands: one module of ``app.cli.commands`` each, named after it."""
    from app.cli import commands

    # modules starting with "_" are private helpers of a command, not commands
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered, or just `only` (importing each
    command's module costs a few ms: a command line naming one needs no other)."""
    parser = argparse.ArgumentParser(
        prog="fileorganizer", epilog=EPILOG,
        description="FileOrganizer Pro from the command line, the same engine as the app: scan "
                    "folders, find duplicates, organize by rules, export reports, undo any run.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [only] if only else command_names():
        importlib.import_module(f"app.cli.commands.{name}").register(sub)
    return parser


def _named_command(argv: list[str]) -> str | None:
    """The command `argv` starts with, if it names one (else: help, --version or a mistake)."""
    if argv and argv[0] in command_names():
        return argv[0]
    return None


def run() -> NoReturn:
    """Entry point of the `fileorganizer` command: ``main()``, then exit with its code."""
    sys.exit(main())


def error(message: str) -> None:
    """The one-line form of every error the command reports: `fileorganizer: error: ...`."""
    print(f"fileorganizer: error: {message}", file=sys.stderr)


def output_problem(path: str | None) -> str | None:
    """Why `path` (an -o FILE) cannot be written, or None when it can (or is stdout)."""
    if not path or path == "-":
        return None
    if os.path.isdir(path):
        return f"{path}: is a folder; give a file name"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"{path}: the folder {folder} does not exist"
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return f"{path}: permission denied"
    if not os.path.exists(path) and not os.access(folder, os.W_OK | os.X_OK):
        return f"{path}: no permission to write in {folder}"
    return None


def _quiet_stdout() -> None:
    """After a closed pipe: send what is left of stdout nowhere, so the flush at exit
    does not fail again (Python's advice for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run the command; returns its exit code."""
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(only=_named_command(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if problem := output_problem(getattr(args, "output", None)):
        error(problem)
        return EXIT_USAGE
    from app.cli.console import Interrupted

    try:
        from app.jobs.recovery import recover_at_start

        if summary := recover_at_start():       # a crashed run is finished or rolled back first
            print(summary, file=sys.stderr)
        code = int(args.func(args) or 0)
        sys.stdout.flush()                       # a closed pipe shows here, not at exit
        return code
    except Interrupted:                          # the command said "Cancelled; ..." already
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK
    except OSError as exc:                       # not a per-file problem: one line, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        error(f"{where}{exc.strerror or exc}")
        return EXIT_ERRORS

"""The `fileorganizer` command: the same engine as the app, without a window.

Each module in ``app.cli.commands`` adds one subcommand through ``register(subparsers)``;
the parser sets ``args.func(args) -> int`` (the exit code).
Exit codes: 0 done, 1 done with per-file errors (or work left), 2 bad usage or missing root.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import NoReturn

from app import __version__

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def command_names() -> list[str]:
    """The subcommands: one module of ``app.cli.commands`` each, named after it."""
    from app.cli import commands

    # modules starting with "_" are private helpers of a command, not commands
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered, or just `only` (importing each
    command's module costs a few ms: a command line naming one needs no other)."""
    parser = argparse.ArgumentParser(prog="fileorganizer", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run the command; returns its exit code."""
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(only=_named_command(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        from app.jobs.recovery import recover_at_start

        if summary := recover_at_start():       # a crashed run is finished or rolled back first
            print(summary, file=sys.stderr)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK

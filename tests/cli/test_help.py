"""Every command and option says in one plain sentence what it does (issue 18.14)."""

from __future__ import annotations

import argparse

import pytest

from app.cli import build_parser, command_names
from app.core.organize.presets import PRESETS

# login, logout and sync belong to the sync client's own work; their help is checked there
OTHERS = {"login", "logout", "sync"}


def _commands(parser: argparse.ArgumentParser, name: str = "fileorganizer"):
    """(full name, parser, help line) of every command and subcommand below `parser`."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            lines = {c.dest: c.help for c in action._choices_actions}
            for child, sub in action.choices.items():
                yield f"{name} {child}", sub, lines.get(child)
                yield from _commands(sub, f"{name} {child}")


@pytest.mark.parametrize("command", sorted(set(command_names()) - OTHERS))
def test_every_command_and_option_has_a_sentence(command):
    parser = build_parser(only=command)
    for full, sub, line in _commands(parser):
        assert line, f"{full}: no line in its parent's list"
        text = sub.description or ""
        assert text and not text.startswith("`") and text.rstrip().endswith("."), (full, text)
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (full, action.option_strings or
                                                                      action.dest)


def test_main_help_gives_the_exit_codes(run_cli):
    out = run_cli("--help", check=True).stdout
    flat = " ".join(out.split())
    assert "Exit codes: 0 done; 1 done, but some files had problems (each one is reported) or work " \
           "is left; 2 bad usage" in flat
    assert "130 interrupted by Ctrl+C" in flat


@pytest.mark.parametrize("command", ["organize", "watch"])
def test_presets_are_listed_one_per_line(run_cli, command):
    out = run_cli(command, "--help", check=True).stdout.splitlines()
    start = out.index("Presets:")
    for slug, preset in PRESETS.items():
        assert any(line.strip().startswith(slug) and preset.description[:30] in line
                   for line in out[start:]), slug


def test_undo_help_gives_its_exit_codes(run_cli):
    flat = " ".join(run_cli("undo", "--help", check=True).stdout.split())
    assert "Exit codes: 0 undone; 1 nothing was undone" in flat and "2 no such entry or operation" in flat

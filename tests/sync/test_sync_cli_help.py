"""login, logout, sync and account say in plain sentences what they and their options do
(the check tests/cli/test_help.py makes for the other commands)."""

from __future__ import annotations

import argparse

import pytest

from app.cli import build_parser


@pytest.mark.parametrize("command", ["login", "logout", "sync", "account"])
def test_sync_commands_have_sentences(command):
    parser = build_parser(only=command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    line = {c.dest: c.help for c in sub._choices_actions}[command]
    cmd = sub.choices[command]
    assert line and cmd.description and not cmd.description.startswith("`")
    assert cmd.description.rstrip().endswith(".")
    for action in cmd._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        assert action.help and action.help != argparse.SUPPRESS, (command, action.option_strings)

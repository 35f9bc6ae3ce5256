"""The GitHub Actions workflow cannot run here: it loads as YAML, has the promised jobs, and runs only
commands the README documents."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.packaging.pkg_helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _readme_commands() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:sh|bash|console|powershell)?\n(.*?)```", readme, re.DOTALL)
    return {line.strip() for block in blocks for line in block.splitlines() if line.strip()}


def _run_lines(workflow: dict) -> list[str]:
    lines = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "run" in step:
                lines += [line.strip() for line in step["run"].splitlines() if line.strip()]
    return lines


def test_triggers_push_and_version_tags():
    triggers = _workflow()[True]          # YAML 1.1 reads the key `on` as True
    assert "push" in triggers and triggers["push"]["tags"] == ["v*"]


def test_tests_run_on_three_systems_and_two_pythons():
    matrix = _workflow()["jobs"]["test"]["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "windows-latest", "macos-latest"}
    assert set(matrix["python"]) == {"3.11", "3.12"}
    runs = [step.get("run") for step in _workflow()["jobs"]["test"]["steps"]]
    assert "bash scripts/test.sh" in runs


def test_lint_runs_ruff_with_security_rules():
    runs = [step.get("run") for step in _workflow()["jobs"]["lint"]["steps"]]
    assert "python -m ruff check ." in runs
    with open(ROOT / "pyproject.toml", "rb") as fh:
        assert "S" in tomllib.load(fh)["tool"]["ruff"]["lint"]["select"]     # flake8-bandit


def test_version_tags_build_three_installers_into_a_release():
    jobs = _workflow()["jobs"]
    installers = jobs["installers"]
    assert installers["if"] == "startsWith(github.ref, 'refs/tags/v')"
    runs = " ".join(_run_lines({"jobs": {"installers": installers}}))
    for command in ("bash scripts/build_linux.sh", "iscc packaging/windows/installer.iss",
                    "bash packaging/macos/make_dmg.sh"):
        assert command in runs
    uploaded = next(s for s in installers["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert {"dist/*.deb", "dist/*-setup.exe", "dist/*.dmg"} <= set(uploaded["with"]["path"].split())
    release = jobs["release"]
    assert release["needs"] == "installers" and release["permissions"]["contents"] == "write"
    assert any(s.get("uses", "").startswith("softprops/action-gh-release") for s in release["steps"])


def test_every_workflow_command_is_in_the_readme():
    documented = _readme_commands()
    missing = [line for line in _run_lines(_workflow()) if line not in documented]
    assert not missing, f"workflow commands the README does not show: {missing}"

"""Shared test helpers: run the CLI in-process and read its output."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from gradcli.cli import main


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout)


def run_cli(*args: str, input: str | None = None, env: dict | None = None) -> Run:
    """gradcli ARGS..., in-process; stdout and stderr apart."""
    runner = CliRunner()
    result = runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli():
    return run_cli


def assert_clean_error(run: Run, code: int, *fragments: str) -> None:
    """Exit code, no traceback, and every fragment somewhere in stderr."""
    assert run.exit_code == code, (run.exit_code, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    for fragment in fragments:
        assert fragment in run.stderr, (fragment, run.stderr)

"""What the benchmark scripts share. They run as `python benchmarks/bench_X.py`,
so this folder is on sys.path and `from common import …` finds this file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def gradcli_command() -> list[str]:
    """The console script beside this Python (a pyenv shim on PATH adds its own start-up)."""
    script = Path(sys.executable).with_name("gradcli")
    if script.exists():
        return [str(script)]
    found = shutil.which("gradcli")
    return [found] if found else [sys.executable, "-m", "gradcli"]

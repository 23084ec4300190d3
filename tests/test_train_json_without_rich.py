"""train --json never imports Rich or NumPy (a one-point run needs neither)."""

from __future__ import annotations

import subprocess
import sys


def test_train_json_never_imports_rich():
    probe = ("import sys\nfrom gradcli.cli import main\n"
             "try:\n    main(['train', '(w-3)^2', '--param', 'w=0', '--steps', '2', '--json'])\n"
             "except SystemExit:\n    pass\n"
             "print('rich' in sys.modules, 'numpy' in sys.modules, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.stderr.strip().splitlines()[-1] == "False False", run.stderr

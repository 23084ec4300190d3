"""Scripts import `gradcli` and nothing deeper: every public name is re-exported there."""

import re
import subprocess
import sys
from pathlib import Path

import gradcli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


def test_every_public_name_loads_from_the_top_package():
    for name in gradcli.__all__:
        assert getattr(gradcli, name) is not None, name
    assert set(dir(gradcli)) >= set(gradcli.__all__)


def test_the_readme_python_examples_import_only_gradcli():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    imports = [line for block in blocks for line in block.splitlines()
               if re.match(r"\s*(from|import)\s+gradcli", line)]
    assert imports, "the README shows the Python API"
    deeper = [line for line in imports if re.match(r"\s*(from|import)\s+gradcli\.", line)]
    assert deeper == []


def test_importing_gradcli_loads_no_layer():
    """The API is loaded on first use: `import gradcli` alone imports no subpackage."""
    code = "import sys, gradcli; print(sorted(m for m in sys.modules if m.startswith('gradcli.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unknown_name_is_an_attribute_error():
    try:
        gradcli.no_such_thing
    except AttributeError as e:
        assert "no_such_thing" in str(e)
    else:
        raise AssertionError("gradcli.no_such_thing should not exist")

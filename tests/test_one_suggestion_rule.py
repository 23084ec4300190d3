"""Every "did you mean …?" follows one rule (gradcli.errors.closest).

The same four kinds of slip go through each caller's own command line: a case slip
(ReLU for relu), a prefix of 3 or more characters (ste for steps), a swap of two letters
(gard for grad), and a word close to nothing (no suggestion). The expected names are
written by hand, not computed.
"""

from __future__ import annotations

import pytest

from conftest import run_cli
from gradcli.errors import closest

SLIPS = ["case", "prefix", "swap", "none"]

# A program whose variables are the brief's own names: relu, steps and grad.
PROGRAM = "relu*steps*grad"
VALUES = {"relu": "1", "steps": "2", "grad": "3"}


def _unknown_binding(word):
    args = ["grad", PROGRAM]
    for name, value in VALUES.items():
        args += [f"-{name}", value]
    return run_cli(*args, f"-{word}", "1")


def _key_files(tmp_path, top=""):
    key = tmp_path / "key.toml"
    key.write_text(f'{top}[[problem]]\nid = "a"\nprogram = "x*y"\n'
                   'bindings = { x = 1, y = 2 }\n', "utf-8")
    answers = tmp_path / "s.toml"
    answers.write_text('student = "s"\n[a]\nvalue = 2\n', "utf-8")
    return str(key), str(answers)


# caller: {slip: (word typed, what the message says, or None for no suggestion)}
CASES = {
    "binding": {"case": ("ReLU", "did you mean 'relu' for 'ReLU'?"),
                "prefix": ("ste", "did you mean 'steps' for 'ste'?"),
                "swap": ("gard", "did you mean 'grad' for 'gard'?"),
                "none": ("zzz", None)},
    "wrt": {"case": ("ReLU", "did you mean 'relu'?"),
            "prefix": ("ste", "did you mean 'steps'?"),
            "swap": ("gard", "did you mean 'grad'?"),
            "none": ("zzz", None)},
    "function": {"case": ("ReLU", "did you mean 'relu'?"),
                 "prefix": ("sigm", "did you mean 'sigmoid'?"),
                 "swap": ("sotfmax", "did you mean 'softmax'?"),
                 "none": ("zzz", None)},
    "option": {"case": ("--JSON", "no such option --JSON; did you mean --json?"),
               "prefix": ("--ste", "no such option --ste; did you mean --steps?"),
               "swap": ("--stpes", "no such option --stpes; did you mean --steps?"),
               "none": ("--zeta", None)},
    "command": {"case": ("GRAD", "no such command 'GRAD'; did you mean 'grad'?"),
                "prefix": ("hess", "no such command 'hess'; did you mean 'hessian'?"),
                "swap": ("gard", "no such command 'gard'; did you mean 'grad'?"),
                "none": ("zzz", None)},
    "format": {"case": ("JSON", "not 'JSON'; did you mean json?"),
               "prefix": ("grade", "not 'grade'; did you mean gradescope?"),
               "swap": ("cvs", "not 'cvs'; did you mean csv?"),
               "none": ("zzz", None)},
    "key entry": {"case": ("Tolerance", "unknown entry 'Tolerance': did you mean 'tolerance'?"),
                  "prefix": ("tol", "unknown entry 'tol': did you mean 'tolerance'?"),
                  "swap": ("tilte", "unknown entry 'tilte': did you mean 'title'?"),
                  "none": ("zzz", None)},
}


def _run(caller, word, tmp_path):
    if caller == "binding":
        return _unknown_binding(word)
    if caller == "wrt":
        return run_cli("grad", PROGRAM, "-relu", "1", "-steps", "2", "-grad", "3", "--wrt", word)
    if caller == "function":
        return run_cli("eval", f"{word}(x)", "-x", "1")
    if caller == "option":
        return run_cli("trace", "x*y", "-x", "1", "-y", "2", word, "3")
    if caller == "command":
        return run_cli(word, "x*y", "-x", "1", "-y", "2")
    if caller == "format":
        return run_cli("check", *_key_files(tmp_path), "--format", word)
    if caller == "key entry":
        return run_cli("check", *_key_files(tmp_path, f"{word} = 0.1\n"))
    raise AssertionError(caller)


@pytest.mark.parametrize("slip", SLIPS)
@pytest.mark.parametrize("caller", list(CASES))
def test_every_caller_offers_the_same_kind_of_name(caller, slip, tmp_path):
    word, says = CASES[caller][slip]
    run = _run(caller, word, tmp_path)
    assert run.exit_code == 2, (run.exit_code, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    if says is None:
        assert "did you mean" not in run.stderr, run.stderr
    else:
        assert says in run.stderr, run.stderr


def test_a_word_close_to_no_option_is_still_an_unknown_variable():
    run = _run("option", "--zeta", None)
    assert "the program does not use variable 'zeta'" in run.stderr


@pytest.mark.parametrize("word, choices, meant", [
    ("ReLU", ["relu", "sin"], "relu"),
    ("ste", ["steps", "seed", "json"], "steps"),
    ("gard", ["grad", "eval", "train"], "grad"),
    ("zzz", ["grad", "eval", "train"], None),
    ("relu", ["relu", "ReLU"], "relu"),           # the word itself first
    ("Ab", ["ab", "AB"], "ab"),                   # two case twins: the nearer spelling, then the first
    ("st", ["steps"], None),                      # a prefix needs 3 characters
    ("ste", ["steps", "step_size"], "steps"),     # two prefixed: the nearer spelling
    ("y", ["x", "yy"], "yy"),                     # difflib's ratio 2/3, above the 0.6 cutoff
    ("rate", ["latex"], "latex"),                 # ratio 2/3 again ...
])
def test_the_rule_itself(word, choices, meant):
    assert closest(word, choices) == meant


def test_a_stricter_cutoff_is_the_callers_choice():
    # ... but an option must be nearer (0.75): --rate stays a variable, not --latex.
    assert closest("rate", ["latex"], 0.75) is None
    assert closest("symbolc", ["symbolic"], 0.75) == "symbolic"   # ratio 14/15

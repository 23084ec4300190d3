"""The summary line of a schedule of one step says "every step" / "over 1 step"."""

import pytest


@pytest.mark.parametrize("args,says,never", [
    (["--schedule", "step", "--step-size", "1"], "× 0.1 every step,", "every 1 steps"),
    (["--schedule", "step", "--step-size", "2"], "× 0.1 every 2 steps", None),
    (["--schedule", "cosine", "--t-max", "1"], "cosine to 0 over 1 step,", "over 1 steps"),
    (["--schedule", "cosine", "--t-max", "3"], "cosine to 0 over 3 steps", None),
])
def test_schedule_summary(cli, args, says, never):
    r = cli("train", "(w-3)^2", "--param", "w=0", "--steps", "3", *args, env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert says in first, first
    if never:
        assert never not in first

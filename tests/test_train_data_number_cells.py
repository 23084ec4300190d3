"""Training data cells are numbers as gradcli reads them, not all that float() takes."""

from __future__ import annotations

from conftest import assert_clean_error


def test_training_data_rejects_what_float_alone_would_take(cli, tmp_path):
    for cell in ("1_0", "\uff11"):
        data = tmp_path / "d.csv"
        data.write_text(f"x,y\n1,2\n{cell},3\n", encoding="utf-8")
        r = cli("train", "(w*x - y)^2", "--data", str(data), "--param", "w=0", "--steps", "1")
        assert_clean_error(r, 2, "is not a number", "column 'x'")

"""Bytes in memory reach loadtxt through an in-memory file where Linux has one
(gradcli/data/dataset.py, _loadtxt_bytes), and through BytesIO elsewhere.

The oracle: NumPy's loadtxt on the same bytes through BytesIO, bit for bit, and the
same refusal (None) for a line it cannot read.
"""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

from gradcli.data import dataset

BODY = b"".join(f"{a!r},{b!r}\n".encode() for a, b in
                np.random.default_rng(3).normal(size=(2000, 2)).tolist())


def _by_bytesio(data: bytes):
    return dataset._loadtxt(io.BytesIO(data))


@pytest.mark.parametrize("data", [BODY, BODY + b"\n  \n1,2", BODY[:-1], b"1,2\n3,x\n", b"1,2\n3\n"])
def test_the_in_memory_file_gives_loadtxts_answer(data):
    want = _by_bytesio(data)
    got = dataset._loadtxt_bytes(data)
    if want is None:
        assert got is None
    else:
        assert got is not None and got.shape == want.shape and got.tobytes() == want.tobytes()


def test_no_in_memory_files_then_bytesio(monkeypatch):
    monkeypatch.delattr(os, "memfd_create", raising=False)  # macOS, Windows
    assert dataset._loadtxt_bytes(BODY).tobytes() == _by_bytesio(BODY).tobytes()


def test_no_proc_then_bytesio(monkeypatch):
    real = dataset._loadtxt
    opened = []

    def no_proc(lines, *args, **kwargs):
        if isinstance(lines, str):
            opened.append(lines)
            raise FileNotFoundError(lines)  # /proc is not mounted
        return real(lines, *args, **kwargs)

    monkeypatch.setattr(dataset, "_loadtxt", no_proc)
    got = dataset._loadtxt_bytes(BODY)
    assert got.tobytes() == _by_bytesio(BODY).tobytes()
    if hasattr(os, "memfd_create"):
        assert opened and opened[0].startswith("/proc/self/fd/")


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc to count open files")
def test_no_file_descriptor_is_left_open():
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        dataset._loadtxt_bytes(BODY)
        dataset._loadtxt_bytes(b"1,x\n")
    assert len(os.listdir("/proc/self/fd")) == before

"""Arrays read from files: `-X @X.npy`, `@X.csv`, `@X.json`, `--inputs FILE.npz|.json` (README "Arrays: vectors and matrices").

Every file is read whole through `files.read_bytes` (devices refused, size capped).
NumPy files are loaded with allow_pickle=False: a file of Python objects is refused,
never unpickled. What a file holds that is not an array of finite numbers is a value
error (bad data in a file, README "Errors and exit codes"); a file that cannot be read is a usage error.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

from gradcli.data import files, formats
from gradcli.errors import GradUsageError, GradValueError, listing, shorten
from gradcli.numbers import index_text, ragged_text, shape_text

# The most axes an array may have (NumPy's own limit is 64).
MAX_AXES = 32
_CSV_NUMBER = re.compile(r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*\Z")
FORMATS = (".npy", ".npz", ".csv", ".json")
_NAME = re.compile(r"[^\W\d]\w*\Z")   # a variable name, as program/bindings.py reads one


def _q(path: str) -> str:
    return f"'{shorten(path)}'"


def _ext(path: str) -> str:
    dot = path.rfind(".")
    return path[dot:].lower() if dot > path.rfind("/") else ""


def read_array(path: str, name: str):
    """The value in the file `path` for the binding `name`: a float or a float64 array.

    A .npz or a JSON object holds many arrays: the one named `name` is taken (or the
    only one, when there is one).
    """
    ext = _ext(path)
    if ext not in FORMATS:
        raise GradValueError(
            f"the value of '{shorten(name)}', '@{shorten(path)}', is a file of unknown kind",
            hint="an array file ends in .npy, .npz, .csv (numbers, no header) or .json (a nested list)")
    data = files.read_bytes(path, "the array file")
    if ext == ".npy":
        return _numpy_array(_load_npy(data, _q(path)), _q(path))
    if ext == ".csv":
        return _csv_matrix(data, path)
    if ext == ".npz":
        arrays = _npz_members(data, path)
        key = _pick(arrays, name, path)
        return _numpy_array(_npz_member(arrays, key, path), f"{_q(path)}, array '{shorten(key)}'")
    obj = _json(data, path)
    if isinstance(obj, dict):
        key = _pick(obj, name, path)
        return nested_array(obj[key], f"{_q(path)}, array '{shorten(key)}'")
    return nested_array(obj, _q(path))


def read_inputs(path: str) -> dict[str, object]:
    """--inputs FILE: {name: value}, values float, float64 array, or binding text (JSON strings)."""
    ext = _ext(path)
    if ext not in (".npz", ".json"):
        raise GradUsageError(f"--inputs takes a .npz or a .json file, not '{shorten(path)}'",
                             hint="a .json file holds an object that maps names to values")
    data = files.read_bytes(path, "the --inputs file")
    found: dict[str, object] = {}
    if ext == ".npz":
        arrays = _npz_members(data, path)
        for key in arrays.namelist():
            found[_key(key[:-4] if key.endswith(".npy") else key, path)] = None
        for key in list(found):
            found[key] = _numpy_array(_npz_member(arrays, key, path), f"{_q(path)}, array '{shorten(key)}'")
        return found
    obj = _json(data, path)
    if not isinstance(obj, dict):
        raise GradValueError(f"the --inputs file '{shorten(path)}' holds a JSON {_json_kind(obj)}, "
                             "not an object that maps names to values",
                             hint='e.g. {"W": [[1, 2], [3, 4]], "b": 0.5}')
    for key, value in obj.items():
        key = _key(key, path)
        found[key] = value if isinstance(value, str) else nested_array(value, f"{_q(path)}, array '{shorten(key)}'")
    return found


def _key(key: str, path: str) -> str:
    if not _NAME.match(key):
        raise GradValueError(f"'{shorten(key)}' in '{shorten(path)}' is not a variable name")
    return key


def _pick(members, name: str, path: str) -> str:
    keys = [k[:-4] if k.endswith(".npy") else k for k in
            (members.namelist() if isinstance(members, zipfile.ZipFile) else members)]
    if name in keys:
        return name
    if len(keys) == 1:
        return keys[0]
    shown = listing([f"'{shorten(k)}'" for k in keys[:10]]) if keys else "nothing"
    raise GradValueError(f"'{shorten(path)}' has no array named '{shorten(name)}' (it holds {shown})",
                         hint=f"name the variable after one of them, or use --inputs {shorten(path)}")


# -- NumPy files ------------------------------------------------------------------------------

def _load_npy(data: bytes, where: str):
    import numpy as np

    if not data.startswith(b"\x93NUMPY"):
        raise GradValueError(f"{where} is not a NumPy .npy file (it does not start as one)")
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise GradValueError(f"{where} holds Python objects, which gradcli does not "
                                 "load (it never unpickles a file)",
                                 hint="save an array of numbers: np.save(path, np.asarray(a, dtype=float))") from None
        raise GradValueError(f"{where} is not a NumPy .npy file: {shorten(str(exc))}") from None
    except (OSError, EOFError) as exc:
        raise GradValueError(f"{where} is not a NumPy .npy file: {shorten(str(exc))}") from None


def _npz_members(data: bytes, path: str) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise GradValueError(f"'{shorten(path)}' is not a NumPy .npz file (not a zip archive)") from None
    # A zip bomb is refused by the sizes it declares, before anything is inflated.
    total = sum(info.file_size for info in z.infolist())
    if total > files.MAX_DATA_BYTES:
        raise GradUsageError(f"cannot read '{shorten(path)}': its arrays are larger than the limit "
                             f"of {files.MAX_DATA_BYTES // files.MiB} MiB")
    return z


def _npz_member(z: zipfile.ZipFile, key: str, path: str):
    member = key if key in z.namelist() else key + ".npy"
    try:
        data = z.read(member)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise GradValueError(f"'{shorten(path)}': the array '{shorten(key)}' cannot be read: "
                             f"{shorten(str(exc))}") from None
    return _load_npy(data, f"{_q(path)}, array '{shorten(key)}'")


_KINDS = {"U": "strings", "S": "bytes", "O": "Python objects", "c": "complex numbers",
          "M": "dates", "m": "time spans", "V": "records"}


def _numpy_array(a, where: str):
    import numpy as np

    if a.dtype.kind not in "biuf":
        kind = _KINDS.get(a.dtype.kind, f"values of type {a.dtype}")
        raise GradValueError(f"{where} holds {kind} ({a.dtype}), not numbers")
    return finish_array(np.asarray(a, dtype=np.float64), where)


# -- text files -------------------------------------------------------------------------------

def _text(data: bytes, path: str) -> str:
    files.refuse_utf16(data, f"the array file '{shorten(path)}'")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GradValueError(f"'{shorten(path)}' is not UTF-8 text (byte {exc.start + 1})") from None


def _csv_matrix(data: bytes, path: str):
    """A CSV of numbers, no header: always a matrix, one row per (non-blank) line."""
    import numpy as np

    rows: list[list[str]] = []
    width = None
    for number, line in enumerate(_text(data, path).splitlines(), 1):
        if not line.strip():
            continue
        cells = line.split(",")
        for col, cell in enumerate(cells, 1):
            if not _CSV_NUMBER.match(cell):
                word = cell.strip()
                if word.lstrip("+-").lower() in ("nan", "inf", "infinity"):   # data, not a header
                    raise GradValueError(f"'{shorten(path)}', line {number}, column {col}: "
                                         f"'{shorten(word)}' is not a finite number")
                hint = formats.separator_hint(cells) or (
                    "an array's CSV has no header row" if not rows else None)
                raise GradValueError(f"'{shorten(path)}', line {number}, column {col}: "
                                     f"'{shorten(word)}' is not a number", hint=hint)
        if width is None:
            width = len(cells)
        elif len(cells) != width:
            raise GradValueError(f"'{shorten(path)}' is ragged: line {number} has {len(cells)} "
                                 f"numbers where the first row has {width}")
        rows.append(cells)
    if not rows:
        raise GradValueError(f"'{shorten(path)}' holds no numbers")
    return finish_array(np.array(rows, dtype=np.float64), _q(path), scalar=False)


def _json(data: bytes, path: str):
    def refuse(word):
        raise GradValueError(f"'{shorten(path)}' holds {word}, which is not a finite number")

    try:
        return json.loads(_text(data, path), parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise GradValueError(f"'{shorten(path)}' is not JSON: {exc.msg} "
                             f"(line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise GradValueError(f"'{shorten(path)}' is nested too deeply "
                             f"(an array has at most {MAX_AXES} axes)") from None


def _json_kind(obj) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(type(obj), "number")


# -- nested lists -----------------------------------------------------------------------------

def nested_array(obj, where: str):
    """A number or a nested list of numbers as a float or float64 array; ragged is a value error."""
    import numpy as np

    if isinstance(obj, bool) or not isinstance(obj, (int, float, list)):
        raise GradValueError(f"{where} holds a {_json_kind(obj) if obj is not None else 'null'} "
                             "where a number or a list of numbers belongs")
    shape = nested_shape(obj, where)
    try:
        a = np.array(obj, dtype=np.float64)
    except OverflowError:
        raise GradValueError(f"{where} holds a number too large for a double") from None
    if a.shape != shape:  # pragma: no cover - nested_shape has checked every list
        raise GradValueError(f"{where} is ragged")
    return finish_array(a, where)


def nested_shape(obj, where: str) -> tuple[int, ...]:
    """The shape of a nested list, walked without recursion; ragged or non-numeric is a value error."""
    shape: list[int] = []
    probe = obj
    while isinstance(probe, list):
        shape.append(len(probe))
        if len(shape) > MAX_AXES:
            raise GradValueError(f"{where} is nested too deeply (an array has at most {MAX_AXES} axes)")
        if not probe:
            break
        probe = probe[0]
    stack = [(obj, ())]
    while stack:
        item, at = stack.pop()
        depth = len(at)
        if depth == len(shape):
            if isinstance(item, list):      # deeper than the first element's chain
                raise GradValueError(f"{where} is ragged: "
                                     + ragged_text(at, _first_shape(item), _first_of(at), ()))
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise GradValueError(f"{where}: the element at {index_text(at)} is "
                                     f"{_describe(item)}, not a number")
            continue
        if not isinstance(item, list) or len(item) != shape[depth]:
            # never the whole array: its length made the shape
            raise GradValueError(f"{where} is ragged: "
                                 + ragged_text(at, _first_shape(item), _first_of(at), shape[depth:]))
        stack.extend((x, at + (k,)) for k, x in reversed(list(enumerate(item))))
    return tuple(shape)


def _first_of(at: tuple[int, ...]) -> tuple[int, ...]:
    """The element that `at` (not all zeros) is told against: `at` with its last index that is
    not 0 made 0 (for [1, 1, 0], [1, 0, 0]), walked already, so of the shape's rest; the
    same element as a literal names, which compares the elements of one list."""
    j = max(j for j, n in enumerate(at) if n)
    return at[:j] + (0,) * (len(at) - j)


def _first_shape(item) -> tuple[int, ...]:
    """The shape of a nested list along its first elements (a ragged rest is not looked at)."""
    shape = []
    while isinstance(item, list):
        shape.append(len(item))
        if not item:
            break
        item = item[0]
    return tuple(shape)


def _describe(item) -> str:
    if isinstance(item, str):
        return f"the string {json.dumps(shorten(item))}"
    if isinstance(item, list):
        return "a list"
    return "null" if item is None else _json_kind(item)


def finish_array(a, where: str, scalar: bool = True):
    """Every value finite, no empty axis, at most MAX_AXES axes; a 0-d array becomes a float."""
    import numpy as np

    if a.ndim > MAX_AXES:
        raise GradValueError(f"{where} has {a.ndim} axes; an array has at most {MAX_AXES}")
    if a.size == 0:
        raise GradValueError(f"{where} is empty (shape {shape_text(a.shape)}): "
                             "an array needs at least one element")
    bad = ~np.isfinite(a)
    if bad.any():
        at = tuple(int(k) for k in np.argwhere(bad)[0])
        where_at = f" at {index_text(at)}" if at else ""
        raise GradValueError(f"{where} holds a value that is not a finite number "
                             f"({float(a[at]) if at else float(a)}){where_at}")
    if a.ndim == 0 and scalar:
        return float(a)
    return a

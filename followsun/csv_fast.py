"""Large frames written as CSV by a compiled kernel: the bytes pandas writes, in seconds.

`pandas.DataFrame.to_csv` formats every float in Python (a year of requirements, 3.5
million rows, took minutes). `write` renders numbers, labels and UTC timestamps with
`followsun.csv_kernel` for frames it can render exactly (float columns under a
``%.Ng`` format with N <= 7, integer, bool, text and UTC timestamp columns, nothing
that needs quoting) and answers False for any other, which the caller writes with pandas.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.schema import iso_utc_strings

MIN_ROWS = 50_000
"""Smaller frames go to pandas: no numba import for them."""
CHUNK_ROWS = 100_000
_G_FORMAT = re.compile(r"%\.([1-7])g")
_QUOTED = re.compile(r'[,"\r\n]')


def write(
    frame: pd.DataFrame, path: Path, float_format: str | None, min_rows: int = MIN_ROWS
) -> bool:
    """Write `frame` to `path` as `to_csv(index=False, float_format=...)` would; False if not handled.

    Timestamps are written as `forecasting.schema.to_csv_frame` writes them (ISO 8601 UTC 'Z').
    """
    match = _G_FORMAT.fullmatch(float_format or "")
    names = [str(name) for name in frame.columns]
    if (
        len(frame) < min_rows
        or match is None
        or len(names) < 2
        or len(set(names)) != len(names)
        or not all(isinstance(name, str) and not _QUOTED.search(name) for name in frame.columns)
    ):
        return False
    columns = _columns(frame)
    if columns is None:
        return False
    from followsun import csv_kernel as kernel

    precision = int(match.group(1))
    kinds, slots, floats, integers, labels, text, starts = columns
    cells, printf_starts, printf_text = _printf_cells(
        floats, kinds, slots, float_format or "", precision, kernel.needs_printf
    )
    label_width = int(np.diff(starts).max()) if starts.size > 1 else 0
    printf_width = int(np.diff(printf_starts).max()) if printf_starts.size > 1 else 0
    widths = {kernel.FLOAT: max(15, printf_width), kernel.INTEGER: 20, kernel.LABEL: label_width}
    row_width = sum(widths[int(k)] + 1 for k in kinds) + 1
    rows = len(frame)
    out = np.empty(min(rows, CHUNK_ROWS) * row_width, dtype=np.uint8)
    # Rows are copied chunk by chunk into small row-major buffers the kernel reads.
    buffers = [
        np.zeros((min(rows, CHUNK_ROWS), max(len(parts), 1)), dtype=dtype)
        for parts, dtype in ((floats, np.float64), (integers, np.int64), (labels, np.int64))
    ]
    with path.open("wb") as handle:
        handle.write((",".join(names) + "\n").encode())
        for first in range(0, rows, CHUNK_ROWS):
            last = min(first + CHUNK_ROWS, rows)
            float_rows, integer_rows, label_rows = (buffer[: last - first] for buffer in buffers)
            for parts, buffer in zip(
                (floats, integers, labels), (float_rows, integer_rows, label_rows), strict=True
            ):
                for slot, part in enumerate(parts):
                    buffer[:, slot] = part[first:last]
            size = kernel.render(
                kinds,
                slots,
                float_rows,
                integer_rows,
                label_rows,
                text,
                starts,
                cells,
                printf_starts,
                printf_text,
                precision,
                first,
                last,
                out,
            )
            handle.write(out[:size].data)
    return True


_Columns = tuple[
    np.ndarray,
    np.ndarray,
    list[np.ndarray],
    list[np.ndarray],
    list[np.ndarray],
    np.ndarray,
    np.ndarray,
]


def _columns(frame: pd.DataFrame) -> _Columns | None:
    """Kinds, slots and the float, integer and label columns; None for a column not handled."""
    from followsun.csv_kernel import FLOAT, INTEGER, LABEL

    kinds: list[int] = []
    slots: list[int] = []
    floats: list[np.ndarray] = []
    integers: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    texts: list[str] = []
    for _, series in frame.items():
        dtype = series.dtype
        if not isinstance(dtype, (np.dtype, pd.DatetimeTZDtype, pd.StringDtype)):
            return None
        if dtype == np.float64:
            kinds.append(FLOAT)
            slots.append(len(floats))
            floats.append(series.to_numpy(dtype=np.float64))
            continue
        if dtype.kind == "i":
            kinds.append(INTEGER)
            slots.append(len(integers))
            integers.append(series.to_numpy(dtype=np.int64))
            continue
        if dtype == np.bool_:
            codes, uniques = series.to_numpy().astype(np.int64), ["False", "True"]
        elif isinstance(dtype, pd.DatetimeTZDtype):
            codes, stamps = pd.factorize(series)
            uniques = list(iso_utc_strings(pd.Series(stamps)))
        elif dtype == np.dtype(object) or isinstance(dtype, pd.StringDtype):
            codes, found = pd.factorize(series)
            uniques = list(found)
            if not all(isinstance(u, str) and not _QUOTED.search(u) for u in uniques):
                return None
        else:
            return None
        kinds.append(LABEL)
        slots.append(len(labels))
        labels.append(np.where(codes >= 0, codes + len(texts), -1))
        texts.extend(uniques)
    encoded = [t.encode() for t in texts]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(e) for e in encoded])
    return (
        np.asarray(kinds, dtype=np.int64),
        np.asarray(slots, dtype=np.int64),
        floats,
        integers,
        labels,
        np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(),
        starts,
    )


def _printf_cells(
    floats: list[np.ndarray],
    kinds: np.ndarray,
    slots: np.ndarray,
    float_format: str,
    precision: int,
    needs_printf: object,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The float cells too near a rounding tie for the kernel, formatted by Python (row-major)."""
    from followsun.csv_kernel import FLOAT

    columns = kinds.size
    cells: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for c in np.flatnonzero(kinds == FLOAT):
        column = floats[slots[c]]
        rows = np.flatnonzero(needs_printf(np.ascontiguousarray(column), precision))  # type: ignore[operator]
        cells.append(rows * columns + c)
        values.append(column[rows])
    if not cells:
        return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(0, np.uint8)
    cell = np.concatenate(cells)
    value = np.concatenate(values)
    order = np.argsort(cell, kind="stable")
    encoded = [(float_format % v).encode() for v in value[order]]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(e) for e in encoded])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
    return cell[order].astype(np.int64), starts, blob

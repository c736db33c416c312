"""Numba kernels of `followsun.csv_fast`: rows of numbers and labels rendered as CSV bytes.

Imported only for large frames, so the CLI starts without numba. Floats are written as
printf's ``%.{P}g`` would (P <= 7): the decimal digits come from one scaling by exact
powers of ten, whose error (below 1e-8 of a unit in the last digit) cannot change a
rounding unless the value lies within 1e-6 of a tie; those rare values are flagged by
`needs_printf` and formatted by Python, then copied in.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

POW10 = np.array([10.0**k for k in range(23)])
# Distance from a rounding tie (in units of the last digit) below which printf decides.
TIE_MARGIN = 1e-6
FLOAT, INTEGER, LABEL = 0, 1, 2
INT64_MIN_TEXT = np.frombuffer(b"9223372036854775808", dtype=np.uint8)


@njit(cache=True, nogil=True)
def _scaled(a: float, k: int) -> float:
    """``a / 10**k`` by exact powers of ten (each step one rounding)."""
    x = a
    while k > 22:
        x = x / 1e22
        k -= 22
    while k < -22:
        x = x * 1e22
        k += 22
    if k >= 0:
        return x / POW10[k]
    return x * POW10[-k]


@njit(cache=True, nogil=True)
def _digits(a: float, precision: int) -> tuple[int, int, bool]:
    """The `precision` significant digits of finite ``a > 0`` as an integer, and its exponent.

    The third answer is False within TIE_MARGIN of a tie, where printf must decide.
    """
    low = POW10[precision - 1]
    high = POW10[precision]
    e = int(math.floor(math.log10(a)))
    s = 0.0
    found = False
    for _ in range(4):
        s = _scaled(a, e - precision + 1)
        if s < low:
            e -= 1
        elif s >= high:
            e += 1
        else:
            found = True
            break
    if not found:
        return 0, 0, False
    whole = math.floor(s)
    frac = s - whole
    if abs(frac - 0.5) < TIE_MARGIN:
        return 0, 0, False
    digits = int(whole) + (1 if frac > 0.5 else 0)
    if digits == int(high):
        digits = int(low)
        e += 1
    return digits, e, True


@njit(cache=True, nogil=True)
def needs_printf(values: np.ndarray, precision: int) -> np.ndarray:
    """True where a finite non-zero value lies too near a rounding tie to be rendered here."""
    out = np.zeros(values.size, dtype=np.bool_)
    for i in range(values.size):
        v = values[i]
        if v != v or v == 0.0 or math.isinf(v):
            continue
        out[i] = not _digits(abs(v), precision)[2]
    return out


@njit(cache=True, nogil=True)
def _put_text(out: np.ndarray, pos: int, text: np.ndarray, first: int, last: int) -> int:
    for j in range(first, last):
        out[pos] = text[j]
        pos += 1
    return pos


@njit(cache=True, nogil=True)
def _put_uint(out: np.ndarray, pos: int, value: int) -> int:
    """Decimal digits of ``value >= 0``."""
    if value == 0:
        out[pos] = 48
        return pos + 1
    width = 0
    probe = value
    while probe > 0:
        probe //= 10
        width += 1
    for j in range(width - 1, -1, -1):
        out[pos + j] = 48 + value % 10
        value //= 10
    return pos + width


@njit(cache=True, nogil=True)
def _put_int(out: np.ndarray, pos: int, value: int) -> int:
    if value < 0:
        out[pos] = 45
        pos += 1
        if value == -(2**63):
            # -9223372036854775808 cannot be negated in int64.
            return _put_text(out, pos, INT64_MIN_TEXT, 0, INT64_MIN_TEXT.size)
        value = -value
    return _put_uint(out, pos, value)


@njit(cache=True, nogil=True)
def _put_g(out: np.ndarray, pos: int, v: float, precision: int) -> int:
    """``'%.{precision}g' % v`` for a value `_digits` is certain of (NaN writes nothing)."""
    if v != v:
        return pos
    if math.copysign(1.0, v) < 0:
        out[pos] = 45
        pos += 1
    a = abs(v)
    if math.isinf(a):
        out[pos] = 105
        out[pos + 1] = 110
        out[pos + 2] = 102
        return pos + 3
    if a == 0.0:
        out[pos] = 48
        return pos + 1
    digits, e, _ = _digits(a, precision)
    # Trailing zeros of the digits are never written: drop them first.
    last = precision - 1
    while last > 0 and digits % 10 == 0:
        digits //= 10
        last -= 1
    if -4 <= e < precision:
        # Fixed notation with precision - 1 - e decimals, trailing zeros removed.
        point = e + 1  # digits before the decimal point (<= 0: leading zeros after it)
        if point <= 0:
            out[pos] = 48
            out[pos + 1] = 46
            pos += 2
            for _ in range(-point):
                out[pos] = 48
                pos += 1
            return _put_digits(out, pos, digits, last + 1, -1)
        if last < point:
            # Whole number: the dropped zeros up to the point come back.
            pos = _put_digits(out, pos, digits, last + 1, -1)
            for _ in range(point - last - 1):
                out[pos] = 48
                pos += 1
            return pos
        return _put_digits(out, pos, digits, last + 1, point)
    pos = _put_digits(out, pos, digits, last + 1, 1)
    out[pos] = 101
    out[pos + 1] = 45 if e < 0 else 43
    pos += 2
    exponent = abs(e)
    if exponent < 10:
        out[pos] = 48
        pos += 1
    return _put_uint(out, pos, exponent)


@njit(cache=True, nogil=True)
def _put_digits(out: np.ndarray, pos: int, digits: int, count: int, point: int) -> int:
    """The `count` decimal digits of `digits` (leading zeros kept), a '.' after `point` of them.

    No point when `point` is -1 or equals `count`.
    """
    width = count + (1 if 0 < point < count else 0)
    end = pos + width
    j = end - 1
    for k in range(count - 1, -1, -1):
        if 0 < point < count and k == point - 1:
            out[j] = 46
            j -= 1
        out[j] = 48 + digits % 10
        digits //= 10
        j -= 1
    return end


@njit(cache=True, nogil=True)
def render(
    kinds: np.ndarray,
    slots: np.ndarray,
    floats: np.ndarray,
    integers: np.ndarray,
    labels: np.ndarray,
    text: np.ndarray,
    text_starts: np.ndarray,
    printf_cells: np.ndarray,
    printf_starts: np.ndarray,
    printf_text: np.ndarray,
    precision: int,
    first_row: int,
    last_row: int,
    out: np.ndarray,
) -> int:
    """Rows [first_row, last_row) as CSV lines into `out`; the number of bytes written.

    Column c is `kinds[c]` (FLOAT, INTEGER or LABEL) stored in column `slots[c]` of
    `floats`, `integers` or `labels` (which hold rows from first_row on); a label is an
    index into `text` (bytes of label i at text_starts[i]:text_starts[i + 1]; -1 writes
    nothing). `printf_cells` (row x columns + c, ascending) are the float cells rendered
    by Python, bytes in `printf_text`.
    """
    columns = kinds.size
    pos = 0
    cursor = np.searchsorted(printf_cells, first_row * columns)
    for row in range(first_row, last_row):
        for c in range(columns):
            if c:
                out[pos] = 44
                pos += 1
            kind = kinds[c]
            slot = slots[c]
            if kind == FLOAT:
                cell = row * columns + c
                if cursor < printf_cells.size and printf_cells[cursor] == cell:
                    pos = _put_text(
                        out, pos, printf_text, printf_starts[cursor], printf_starts[cursor + 1]
                    )
                    cursor += 1
                else:
                    pos = _put_g(out, pos, floats[row - first_row, slot], precision)
            elif kind == INTEGER:
                pos = _put_int(out, pos, integers[row - first_row, slot])
            else:
                label = labels[row - first_row, slot]
                if label >= 0:
                    pos = _put_text(out, pos, text, text_starts[label], text_starts[label + 1])
        out[pos] = 10
        pos += 1
    return pos

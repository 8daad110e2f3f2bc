"""Python functions for the Morph-KGC baseline (bench/morph/mapping.yml).

RML has no notion of EDTF or of the Julian calendar, so a pipeline built from Morph-KGC needs
these to give a date's Gregorian bounds (`hkg:notBefore`, `hkg:notAfter`) as histkg does:
the first and last day a date can mean, approximate dates (`~`, `%`) widened by one unit of
their precision, Old Style (`julian`) dates converted, and a date of unknown calendar given
the wider bounds of its two readings. They cover the EDTF forms of histkg's data (days,
months, seasons 21-24, years, `YYYX` decades, `YYXX` centuries, qualifiers, intervals with
open ends) and, like RML itself, say nothing when a value is not one of them: no bound is
written and no error is raised. That silence is part of what the baseline measures.

Morph-KGC injects the `udf` decorator when it loads this file.
"""

import datetime
import re

P = "https://example.org/histkg/pipeline#"
DATE = re.compile(r"^(\d{4}|\d{3}X|\d{2}XX)(?:-(\d{2}))?(?:-(\d{2}))?([?~%])?$")
SEASONS = {21: ((0, 3), (0, 5)), 22: ((0, 6), (0, 8)), 23: ((0, 9), (0, 11)), 24: ((0, 12), (1, 2))}


def _jdn(y, m, d, julian):
    """The Julian day number of y-m-d in the Julian or the Gregorian calendar."""
    a = (14 - m) // 12
    yy, mm = y + 4800 - a, m + 12 * a - 3
    n = d + (153 * mm + 2) // 5 + 365 * yy + yy // 4 - 32083
    if not julian:
        n = n - yy // 100 + yy // 400 + 38
    return n


def _gregorian(jdn):
    return datetime.date.fromordinal(jdn - 1721425).isoformat()


def _add_months(y, m, delta):
    i = y * 12 + (m - 1) + delta
    return i // 12, i % 12 + 1


def _span(text, calendar):
    """(first JDN, last JDN) of one EDTF date, or None if it is not a form known here."""
    match = DATE.match(text)
    if not match:
        return None
    year, month, day, qualifier = match.groups()
    w = 1 if qualifier in ("~", "%") else 0
    if year.endswith("XX"):
        y = int(year[:2]) * 100
        months = (y - 100 * w, 1, y + 99 + 100 * w, 12)
    elif year.endswith("X"):
        y = int(year[:3]) * 10
        months = (y - 10 * w, 1, y + 9 + 10 * w, 12)
    else:
        y = int(year)
        if month is None:
            months = (y - w, 1, y + w, 12)
        elif int(month) in SEASONS and day is None:
            (dy0, m0), (dy1, m1) = SEASONS[int(month)]
            first = _add_months(y + dy0, m0, -3 * w)
            last = _add_months(y + dy1, m1, 3 * w)
            months = (first[0], first[1], last[0], last[1])
        elif day is None:
            first = _add_months(y, int(month), -w)
            last = _add_months(y, int(month), w)
            months = (first[0], first[1], last[0], last[1])
        else:
            months = None

    def reading(julian):
        if months is None:
            n = _jdn(int(year), int(month), int(day), julian)
            return n - w, n + w
        y0, m0, y1, m1 = months
        ny, nm = _add_months(y1, m1, 1)
        return _jdn(y0, m0, 1, julian), _jdn(ny, nm, 1, julian) - 1

    if calendar == "julian":
        return reading(True)
    if calendar == "gregorian":
        return reading(False)
    (g0, g1), (j0, j1) = reading(False), reading(True)
    return min(g0, j0), max(g1, j1)


def _bounds(edtf, calendar):
    if edtf is None:
        return None, None
    edtf = edtf.strip()
    if "/" in edtf:
        start, end = edtf.split("/", 1)
        lo = None if start in ("", "..") else _span(start, calendar)
        hi = None if end in ("", "..") else _span(end, calendar)
        return (lo and _gregorian(lo[0])), (hi and _gregorian(hi[1]))
    span = _span(edtf, calendar)
    if span is None:
        return None, None
    return _gregorian(span[0]), _gregorian(span[1])


@udf(fun_id=P + "notBefore", edtf=P + "edtf", calendar=P + "calendar")
def not_before(edtf, calendar):
    return _bounds(edtf, calendar)[0]


@udf(fun_id=P + "notAfter", edtf=P + "edtf", calendar=P + "calendar")
def not_after(edtf, calendar):
    return _bounds(edtf, calendar)[1]

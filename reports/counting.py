"""The dashboard's case figures in one pass over the period's cases.

A province's year is about 330,000 cases. Counted one grouping at a time that is eight scans of the
covering index; PostgreSQL's GROUPING SETS make it one (shared/PERFORMANCE.md: 87 ms against 8 × ~32
ms). SQLite has no GROUPING SETS: there the same groupings are a UNION ALL of plain GROUP BYs, which
is what it would have run anyway, and its databases are small.

Every figure is a sum over one grouping, so totals agree with each other by construction: the cases
by channel, by kind and the month-by-month trend all add up to the same total.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connections
from django.db.models import DateField, QuerySet
from django.db.models.functions import TruncMonth

from cases.models import OPEN_STATUSES, Status

DECIDED_WITHOUT_RESOLUTION = frozenset({Status.FAILED, Status.HANDED_BACK})

# The groupings, each a set of columns grouped together.
GROUPINGS = {
    "channel": ("channel", "status", "resolved_level"),
    "kind": ("kind",),
    "category": ("category_id",),
    "month": ("month",),
    "status": ("status", "is_overdue"),
}
COLUMNS = ("channel", "kind", "category_id", "month", "status", "is_overdue", "resolved_level")
# GROUPING() of these tells the sets apart: the first one grouped names the set (channel, kind,
# category, status), none grouped is the month's. (Month cannot be a flag: the monthly rollup
# groups every set by month.)
FLAGS = (("channel", "channel"), ("kind", "kind"), ("category_id", "category"), ("is_overdue", "status"))


@dataclass
class CaseCounts:
    total: int = 0
    by_channel: dict = field(default_factory=dict)
    by_kind: dict = field(default_factory=dict)
    by_category: dict = field(default_factory=dict)  # category id (None: not yet classified) → count
    by_month: dict = field(default_factory=dict)  # first day of the month (local time) → count
    by_status: dict = field(default_factory=dict)
    overdue_by_status: dict = field(default_factory=dict)
    by_level: dict = field(default_factory=dict)  # the level a case was resolved at (not None)
    by_channel_outcome: dict = field(default_factory=dict)  # channel → received/resolved/decided/open


def case_counts(cases: QuerySet) -> CaseCounts:
    """All the case groupings of the dashboard over `cases`, in one query."""
    return tally(grouped_rows(cases))


def grouped_rows(cases: QuerySet, keys: tuple[str, ...] = ()) -> list[tuple]:
    """(keys…, grouping name, {column: value}, count) for every group of every grouping of `cases`,
    each grouping also grouped by `keys` (annotations of `cases`, e.g. the month, for a rollup)."""
    annotated = cases.order_by().annotate(month=TruncMonth("received_at", output_field=DateField()))
    inner = annotated.values(*dict.fromkeys((*keys, *COLUMNS)))
    sql, params = inner.query.sql_with_params()
    connection = connections[inner.db]  # a replica's, when the request reads from one
    postgres = connection.vendor == "postgresql"
    statement = _grouping_sets_sql(sql, keys) if postgres else _union_sql(sql, keys)
    with connection.cursor() as cursor:
        cursor.execute(statement, params if postgres else params * len(GROUPINGS))
        rows = cursor.fetchall()
    out = []
    for row in rows:
        flags, rest = row[len(keys) : len(keys) + len(FLAGS)], row[len(keys) + len(FLAGS) :]
        name = FLAGS[flags.index(0)][1] if 0 in flags else "month"
        out.append((*row[: len(keys)], name, dict(zip(COLUMNS, rest[:-1], strict=True)), rest[-1]))
    return out


def _sets(keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [tuple(dict.fromkeys((*keys, *columns))) for columns in GROUPINGS.values()]


def _grouping_sets_sql(inner: str, keys: tuple[str, ...]) -> str:
    selected = ", ".join((*keys, *(f"GROUPING({column})" for column, _name in FLAGS), *COLUMNS))
    sets = ", ".join(f"({', '.join(columns)})" for columns in _sets(keys))
    return f"SELECT {selected}, COUNT(*) FROM ({inner}) AS cases GROUP BY GROUPING SETS ({sets})"


def _union_sql(inner: str, keys: tuple[str, ...]) -> str:
    branches = []
    for columns in _sets(keys):
        flags = ("0" if column in columns else "1" for column, _name in FLAGS)
        selected = ", ".join((*keys, *flags, *(column if column in columns else "NULL" for column in COLUMNS)))
        branches.append(f"SELECT {selected}, COUNT(*) FROM ({inner}) AS cases GROUP BY {', '.join(columns)}")
    return " UNION ALL ".join(branches)


def as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):  # SQLite answers the truncated date as text
        return date.fromisoformat(value[:10])
    return value


def tally(rows) -> CaseCounts:
    """The dashboard's counts from (grouping name, {column: value}, count) rows, live or rolled up."""
    counts = CaseCounts()
    outcome = defaultdict(lambda: {"received": 0, "resolved": 0, "decided": 0, "open": 0})
    for grouping, values, n in rows:
        if grouping == "channel":
            _add(counts.by_channel, values["channel"], n)
            resolved = values["resolved_level"] is not None
            if resolved:
                _add(counts.by_level, values["resolved_level"], n)
            block = outcome[values["channel"]]
            block["received"] += n
            block["resolved"] += n if resolved else 0
            block["decided"] += n if resolved or values["status"] in DECIDED_WITHOUT_RESOLUTION else 0
            block["open"] += n if values["status"] in OPEN_STATUSES else 0
        elif grouping == "kind":
            counts.total += n
            _add(counts.by_kind, values["kind"], n)
        elif grouping == "category":
            _add(counts.by_category, values["category_id"], n)
        elif grouping == "month":
            _add(counts.by_month, as_date(values["month"]), n)
        else:
            _add(counts.by_status, values["status"], n)
            if values["is_overdue"]:
                _add(counts.overdue_by_status, values["status"], n)
    counts.by_channel_outcome = dict(outcome)
    return counts


def _add(counter: dict, key, n: int) -> None:
    counter[key] = counter.get(key, 0) + n

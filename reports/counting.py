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

# (flag, the columns grouped) — one grouping set each; `flag` names the set in the result rows.
GROUPINGS = (
    ("channel", ("channel", "status", "resolved_level")),
    ("kind", ("kind",)),
    ("category", ("category_id",)),
    ("month", ("month",)),
    ("status", ("status", "is_overdue")),
)
COLUMNS = ("channel", "kind", "category_id", "month", "status", "is_overdue", "resolved_level")


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
    inner = cases.order_by().annotate(month=TruncMonth("received_at", output_field=DateField())).values(*COLUMNS)
    sql, params = inner.query.sql_with_params()
    connection = connections[inner.db]  # a replica's, when the request reads from one
    postgres = connection.vendor == "postgresql"
    statement = _grouping_sets_sql(sql) if postgres else _union_sql(sql)
    with connection.cursor() as cursor:
        cursor.execute(statement, params if postgres else params * len(GROUPINGS))
        rows = cursor.fetchall()
    return _tally(rows)


def _grouping_sets_sql(inner: str) -> str:
    flags = ", ".join(f"GROUPING({columns[0]})" for _flag, columns in GROUPINGS)
    sets = ", ".join(f"({', '.join(columns)})" for _flag, columns in GROUPINGS)
    return f"SELECT {flags}, {', '.join(COLUMNS)}, COUNT(*) FROM ({inner}) AS cases GROUP BY GROUPING SETS ({sets})"


def _union_sql(inner: str) -> str:
    branches = []
    for index, (_flag, columns) in enumerate(GROUPINGS):
        flags = ", ".join("0" if i == index else "1" for i in range(len(GROUPINGS)))
        selected = ", ".join(column if column in columns else "NULL" for column in COLUMNS)
        branches.append(f"SELECT {flags}, {selected}, COUNT(*) FROM ({inner}) AS cases GROUP BY {', '.join(columns)}")
    return " UNION ALL ".join(branches)


def _month(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):  # SQLite answers the truncated date as text
        return date.fromisoformat(value[:10])
    return value


def _tally(rows) -> CaseCounts:
    counts = CaseCounts()
    outcome = defaultdict(lambda: {"received": 0, "resolved": 0, "decided": 0, "open": 0})
    flag_count = len(GROUPINGS)
    for row in rows:
        flags, values, n = row[:flag_count], dict(zip(COLUMNS, row[flag_count:-1], strict=True)), row[-1]
        grouping = GROUPINGS[flags.index(0)][0]
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
            _add(counts.by_month, _month(values["month"]), n)
        else:
            _add(counts.by_status, values["status"], n)
            if values["is_overdue"]:
                _add(counts.overdue_by_status, values["status"], n)
    counts.by_channel_outcome = dict(outcome)
    return counts


def _add(counter: dict, key, n: int) -> None:
    counter[key] = counter.get(key, 0) + n

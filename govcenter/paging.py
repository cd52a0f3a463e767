"""Pages of big lists that cost the same at page 1 and page 400, for a township or a province.

Two costs grow with a list's size in a plain Django paginator, and both are cut here:

- **The count.** An exact COUNT of a province's million cases reads a million index entries (26 ms
  at best, shared/PERFORMANCE.md) on every page. Here rows are counted only up to `COUNT_CAP`; a
  list longer than that gets the planner's estimate instead, and says so (`count_is_exact`).
- **Deep pages.** `OFFSET 10000` makes the database fetch and drop 10,000 whole rows. Here a deep
  page first takes the ids of its rows (the offset walks the index only) and then loads those rows.

Used by the REST API (`govcenter.drf.Pagination`) and by the HTML lists, so both agree. A scope
of several index ranges is paged as `Branches` (below).
"""

import json
import math
from functools import cached_property, reduce
from operator import or_

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet

COUNT_CAP = 10_000
# From this offset on, a page loads its ids first (an index walk) and then its rows by id.
DEFERRED_JOIN_FROM = 200


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): the exact count when it is at most `cap`, else the planner's estimate."""
    cap = COUNT_CAP if cap is None else cap
    counted = queryset.order_by()[: cap + 1].count()
    if counted <= cap:
        return counted, True
    return max(cap + 1, estimated_count(queryset)), False


def estimated_count(queryset: QuerySet) -> int:
    """The planner's estimate of the rows `queryset` would return (0 when the database has none)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.order_by().count()
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class FastPaginator(Paginator):
    """Django's paginator with a capped count and deferred joins for deep pages."""

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if isinstance(self.object_list, Branches):
            return self.object_list.counted()
        if isinstance(self.object_list, QuerySet):
            return capped_count(self.object_list)
        return len(self.object_list), True

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_exact(self) -> bool:
        return self._counted[1]

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(max(1, self.count - self.orphans) / self.per_page))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.count_is_exact and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._slice(bottom, top), number, self)

    def _slice(self, bottom: int, top: int):
        rows = self.object_list
        if isinstance(rows, Branches):
            return rows.slice(bottom, top)
        if not isinstance(rows, QuerySet) or bottom < DEFERRED_JOIN_FROM:
            return rows[bottom:top]
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        if not ids:
            return []
        loaded = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}
        return [loaded[pk] for pk in ids if pk in loaded]


class Branches:
    """The union of several querysets of one model, without repeats, in their shared order.

    A scope made of several index ranges (a subtree and the grants; a township and the cases that
    began there) is listed by taking the first rows of each range in index order and merging them
    in Python, where one `OR` makes the database gather and sort every row of every range.

    `terms[i]` is the filter that made `branches[i]`, used to count each row once; `rows` loads the
    chosen ids with what the list shows (its select_related), unfiltered: the ids are already vetted.
    The ordering's columns must not be null (they are compared in Python).
    """

    ordered = True

    def __init__(self, branches: list[QuerySet], terms: list[Q], rows: QuerySet):
        ordering = branches[0].query.order_by
        if not ordering or len({name.startswith("-") for name in ordering}) != 1:
            raise ValueError("Branches need one ordering, all ascending or all descending.")
        self.branches, self.terms, self.rows = branches, terms, rows
        self.fields = [name.lstrip("-") for name in ordering]
        self.descending = ordering[0].startswith("-")

    def counted(self) -> tuple[int, bool]:
        """(count, exact): each branch counts the rows no earlier branch has, up to the cap, all
        in one statement; a branch past the cap adds the planner's estimate."""
        cap = COUNT_CAP
        parts = []
        for index, branch in enumerate(self.branches):
            earlier = reduce(or_, self.terms[:index], Q(pk__in=[]))
            parts.append((branch.exclude(earlier) if index else branch).order_by())
        counted = self._one_row(
            [part.values("pk")[: cap + 1] for part in parts], "SELECT {}", "(SELECT COUNT(*) FROM ({}) AS b{})"
        )
        total, exact = 0, True
        for part, count in zip(parts, counted, strict=True):
            if count > cap:
                count, exact = max(cap + 1, estimated_count(part)), False
            total += count
        return total, exact

    def slice(self, bottom: int, top: int) -> list:
        """The rows bottom..top of the union: each branch's first `top` keys in one statement (a
        UNION ALL of limited branches), merged here, then those rows loaded by id."""
        limited = [branch.values_list(*self.fields, "pk")[:top] for branch in self.branches]
        keyed = sorted(self._all_rows(limited), reverse=self.descending)
        ids, seen = [], set()
        for row in keyed:
            if row[-1] not in seen:
                seen.add(row[-1])
                ids.append(row[-1])
                if len(ids) == top:
                    break
        ids = ids[bottom:top]
        loaded = {row.pk: row for row in self.rows.filter(pk__in=ids).order_by()} if ids else {}
        return [loaded[pk] for pk in ids if pk in loaded]

    def _compiled(self, querysets: list[QuerySet]) -> tuple[dict[int, str], list]:
        """The SQL of each queryset by its position; one that can match nothing is left out."""
        sqls, params = {}, []
        for index, queryset in enumerate(querysets):
            try:
                sql, query_params = queryset.query.sql_with_params()
            except EmptyResultSet:
                continue
            sqls[index] = sql
            params.extend(query_params)
        return sqls, params

    def _one_row(self, querysets: list[QuerySet], outer: str, each: str) -> list:
        sqls, params = self._compiled(querysets)
        if not sqls:
            return [0] * len(querysets)
        statement = outer.format(", ".join(each.format(sql, index) for index, sql in sqls.items()))
        with connections[self.branches[0].db].cursor() as cursor:
            cursor.execute(statement, params)
            values = iter(cursor.fetchone())
        return [next(values) if index in sqls else 0 for index in range(len(querysets))]

    def _all_rows(self, querysets: list[QuerySet]) -> list[tuple]:
        sqls, params = self._compiled(querysets)
        if not sqls:
            return []
        statement = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS b{index}" for index, sql in sqls.items())
        with connections[self.branches[0].db].cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

"""Bulk loading for generated data: COPY on PostgreSQL, bulk_create elsewhere.

A `Table` writes rows given as plain tuples in the order of the fields it was made with, so a seeder
need not build a model instance per row (Model.__init__ cost about as much as all the rest of making
up a demo case). On PostgreSQL the rows go through COPY, each value formatted by psycopg's C text
dumpers: measured on this kind of machine, two to four times faster than joining the lines in
Python for strings, numbers and NULLs, and the same for datetimes. Ids come from the table's own
sequence, in the order of the rows, as INSERTs would have taken them. Elsewhere (SQLite: the small
demo and the tests) the rows become model instances and go in with bulk_create.

What a row holds is what the model's attributes would: str, int, bool, Decimal, aware datetimes,
dates, UUIDs, a list or dict for a JSONField, a list for an ArrayField, and for a foreign key the id
(the field's `attname`), not an instance. The fields left out get their default as Model() would
give it (a default that is a function other than a plain constructor such as `list`, once a row);
auto_now and auto_now_add fields left out get the time of the write.
"""

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

from govcenter.demo import given_timestamps

BATCH_SIZE = 2_000  # rows per INSERT statement elsewhere (SQLite lowers it further to fit its limits)
# Defaults made by these give the same value every time: computed once per write, not once per row.
CONSTANT_FACTORIES = (list, dict, tuple, set, frozenset, str, int, float, bool)


def _converter(field: models.Field):
    """What turns a value into one psycopg dumps as the column's text, or None where psycopg's own
    text dumper is right (it escapes backslash, tab, newline and carriage return, writes None as
    \\N, booleans as t and f, datetimes in ISO form with their offset, lists as array literals)."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder  # a list must not become an array literal: dump it as JSON text

        def dump_json(value):
            return None if value is None else json.dumps(value, cls=encoder, ensure_ascii=False)

        return dump_json
    if isinstance(field, models.FileField):  # a FieldFile or a name
        return lambda value: None if value is None else str(value)
    return None


def _same(value):
    return value


def _is_timestamp(field: models.Field) -> bool:
    return isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)


def _made_per_row(field: models.Field) -> bool:
    if not field.has_default() or _is_timestamp(field):
        return False
    return callable(field.default) and field.default not in CONSTANT_FACTORIES


class Table:
    """How to write rows of one model: the given fields, then every other concrete field (but an
    automatic primary key) with its default."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]):
        self.model = model
        meta = model._meta
        self.fields = [meta.get_field(name) for name in fields]
        self.attnames = [field.attname for field in self.fields]
        given = set(self.attnames)
        defaulted = [
            field
            for field in meta.concrete_fields
            if field.attname not in given and not (field.primary_key and isinstance(field, models.AutoField))
        ]
        self.made_per_row = [field for field in defaulted if _made_per_row(field)]
        self.constant = [field for field in defaulted if not _made_per_row(field)]
        self.converters = [(i, convert) for i, convert in enumerate(map(_converter, self.fields)) if convert]
        self.timestamps = [field.name for field in self.fields if _is_timestamp(field)]
        self._sequence: str | None = None

    def insert(self, rows: Iterable[Sequence], *, returning: bool = False) -> list[int] | None:
        """Write the rows; with `returning`, return their new ids in the order of the rows."""
        if connection.vendor == "postgresql":
            return self._copy(rows, returning)
        return self._bulk_create(rows, returning)

    # PostgreSQL.
    def allocate_ids(self, count: int) -> list[int]:
        """`count` new ids from the table's sequence, ascending, as `count` INSERTs would take them."""
        if count == 0:
            return []
        meta = self.model._meta
        with connection.cursor() as cursor:
            if self._sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
                self._sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s) ORDER BY 1", [self._sequence, count])
            return [row[0] for row in cursor.fetchall()]

    def _defaults(self) -> tuple[tuple, list]:
        """The values of the fields the rows leave out: those the same for every row, and the
        (function, converter) pairs of those made per row."""
        now = timezone.now()
        constant = []
        for field in self.constant:
            if _is_timestamp(field):
                value = now if isinstance(field, models.DateTimeField) else now.date()
            else:
                value = field.get_default()
            convert = _converter(field)
            constant.append(convert(value) if convert else value)
        per_row = [(field.default, _converter(field) or _same) for field in self.made_per_row]
        return tuple(constant), per_row

    def _copy(self, rows, returning: bool) -> list[int] | None:
        meta = self.model._meta
        constant, per_row = self._defaults()
        columns = [field.column for field in self.fields + self.constant + self.made_per_row]
        converters = self.converters
        ids = None
        if returning:
            rows = rows if isinstance(rows, list) else list(rows)
            ids = self.allocate_ids(len(rows))
            rows = ((pk, *row) for pk, row in zip(ids, rows, strict=True))
            columns = [meta.pk.column, *columns]
            converters = [(i + 1, convert) for i, convert in converters]
        quote = connection.ops.quote_name
        sql = f"COPY {quote(meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            if not converters and not per_row:
                for row in rows:
                    write((*row, *constant) if constant else row)
                return ids
            for row in rows:
                row = [*row, *constant]
                for i, convert in converters:
                    row[i] = convert(row[i])
                for make, convert in per_row:
                    row.append(convert(make()))
                write(row)
        return ids

    # Other databases.
    def _bulk_create(self, rows, returning: bool) -> list[int] | None:
        attnames = self.attnames
        objects = [self.model(**dict(zip(attnames, row, strict=True))) for row in rows]
        with given_timestamps(self.model, *self.timestamps):
            self.model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        return [obj.pk for obj in objects] if returning else None

"""Bulk loading for generated data: COPY on PostgreSQL, bulk_create elsewhere.

A `Table` writes rows given as plain tuples in the order of the fields it was made with, so a seeder
need not build a model instance per row (Model.__init__ cost about as much as all the rest of making
up a demo case). On PostgreSQL the rows go through binary COPY, each value encoded by psycopg's C
dumpers for the column's type: measured on this kind of machine, formatting the text lines in Python
was slower than psycopg's text format, and that was three times slower than binary for rows with
datetimes (a datetime as text costs a microsecond), the server parsing binary faster too. Ids come
from the table's own sequence, in the order of the rows, as INSERTs would have taken them. Elsewhere
(SQLite: the small demo and the tests) the rows become model instances and go in with bulk_create.

What a row holds is what the model's attributes would: str, int, bool, Decimal, aware datetimes,
dates, UUIDs, a list or dict for a JSONField, a list for an ArrayField, and for a foreign key the id
(the field's `attname`), not an instance. The fields left out get their default as Model() would
give it (a default that is a function other than a plain constructor such as `list`, once a row);
auto_now and auto_now_add fields left out get the time of the write.
"""

import ipaddress
import json
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connection, models, transaction
from django.utils import timezone

from govcenter.demo import given_timestamps

BATCH_SIZE = 2_000  # rows per INSERT statement elsewhere (SQLite lowers it further to fit its limits)
DEFERRED_MARK = "govcenter.bulk deferred: "  # a table's comment while its indexes are away (indexes_deferred)
# Defaults made by these give the same value every time: computed once per write, not once per row.
CONSTANT_FACTORIES = (list, dict, tuple, set, frozenset, str, int, float, bool)


def _converter(field: models.Field):
    """What turns a value into one psycopg's binary dumper for the column's type takes, or None where
    the value itself does (None is NULL, a list an array)."""
    if isinstance(field, models.JSONField):
        return _JsonText((field.encoder or json.JSONEncoder)(ensure_ascii=False).encode)
    if isinstance(field, models.FileField):  # a FieldFile or a name
        return lambda value: None if value is None else str(value)
    if isinstance(field, models.GenericIPAddressField):  # binary COPY wants an address, not its text
        return lambda value: None if value in (None, "") else ipaddress.ip_address(value)
    return None


class _JsonText:
    """A value as JSON text (a list must not become an array literal). The same small dicts and
    lists of strings come back row after row (a timeline step's details): those are encoded once."""

    LIMIT = 50_000  # texts remembered

    def __init__(self, encode):
        self.encode = encode
        self.known: dict[tuple, str] = {}

    def __call__(self, value):
        if value is None:
            return None
        cls = value.__class__
        if cls is dict:
            items = tuple(value.items())
            plain = all(k.__class__ is str and v.__class__ is str for k, v in items)
        elif cls is list:
            items = tuple(value)
            plain = all(v.__class__ is str for v in items)
        else:
            return self.encode(value)
        if not plain:  # a number, a flag, a nested value: True and 1 would look alike as keys
            return self.encode(value)
        key = (cls, items)
        text = self.known.get(key)
        if text is None:
            if len(self.known) >= self.LIMIT:
                self.known.clear()
            text = self.known[key] = self.encode(value)
        return text


def _same(value):
    return value


def _is_timestamp(field: models.Field) -> bool:
    return isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)


def _made_per_row(field: models.Field) -> bool:
    if not field.has_default() or _is_timestamp(field):
        return False
    return callable(field.default) and field.default not in CONSTANT_FACTORIES


@contextmanager
def indexes_deferred(*models: type[models.Model]) -> Iterator[None]:
    """On PostgreSQL, load these models' tables without their non-unique indexes and foreign keys,
    and make them again when the block ends, whether it ends well or not; then analyze them.

    Measured on a province's cases (1M cases, 7M timeline steps, 5M deadlines, 1.7M parties): the
    COPYs cost the server 206 s of CPU with every index in place, 82 s without these, building them
    afterwards included. Primary keys and unique constraints stay, so what must be unique still is
    while loading. What was dropped is written first, in the same transaction as the drops, into the
    table's comment: should the process die before it could make them again, the next
    `restore_indexes()` (every call of this one starts with it) finds and makes them.

    Only outside a transaction (inside one, say a test's, rows with foreign-key checks pending would
    forbid dropping the keys; the load then keeps its indexes)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    restore_indexes()
    tables = [model._meta.db_table for model in models]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
                " ORDER BY c.relname",
                [table],
            )
            indexes = cursor.fetchall()
            if not foreign_keys and not indexes:
                continue
            cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [table])
            deferred = {
                "comment": cursor.fetchone()[0],
                "indexes": [definition for _name, definition in indexes],
                "foreign_keys": foreign_keys,
            }
            quote = connection.ops.quote_name
            cursor.execute(f"COMMENT ON TABLE {quote(table)} IS %s", [DEFERRED_MARK + json.dumps(deferred)])
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    try:
        yield
    finally:
        restore_indexes()
    with connection.cursor() as cursor:  # the planner's statistics of what was loaded, for what reads it next
        cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")


def restore_indexes() -> list[str]:
    """Make again the indexes and foreign keys `indexes_deferred` dropped and left a note of; return
    the tables that had any. Two tables at a time, the largest first, each in a connection of its own
    (PostgreSQL scans a large table for an index in parallel already, but sorts and checks foreign
    keys in one process). Each statement commits on its own and may be repeated: an interrupted
    restore is finished by the next."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, d.description FROM pg_description d JOIN pg_class c ON c.oid = d.objoid"
            " WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0 AND d.description LIKE %s"
            " ORDER BY pg_total_relation_size(c.oid) DESC, c.relname",
            [DEFERRED_MARK + "%"],
        )
        notes = cursor.fetchall()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _done in pool.map(_restore_table, notes):
            pass
    return [table for table, _note in notes]


def _restore_table(note: tuple[str, str]) -> None:
    table, text = note
    deferred = json.loads(text.removeprefix(DEFERRED_MARK))
    quote = connection.ops.quote_name
    try:
        with connection.cursor() as cursor:  # this thread's own connection
            for definition in deferred["indexes"]:
                cursor.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
            for name, definition in deferred["foreign_keys"]:
                cursor.execute(
                    "SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s", [table, name]
                )
                if cursor.fetchone() is None:
                    # Checked in one pass over the table, not row by row as a load would have.
                    cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition} NOT VALID")
                    cursor.execute(f"ALTER TABLE {quote(table)} VALIDATE CONSTRAINT {quote(name)}")
            cursor.execute(f"COMMENT ON TABLE {quote(table)} IS %s", [deferred["comment"]])
    finally:
        connection.close()


def rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset, read faster on PostgreSQL: timestamps through psycopg's
    C loader (Django's, in Python, costs 3.4 µs a timestamp here: a fifth of the processor time of
    the demo's mediation, which reads a county's timeline). For plain columns only: Django's
    conversions (from_db_value, JSON) are not applied."""
    if connection.vendor != "postgresql":
        return list(queryset)
    from psycopg.types.datetime import TimestamptzLoader

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)  # for this cursor only
        cursor.execute(sql, params)
        return cursor.fetchall()


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
        self._types: dict[str, int] | None = None

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

    def _column_types(self, cursor) -> dict[str, int]:
        """The type of each column, as binary COPY must be told."""
        if self._types is None:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                [self.model._meta.db_table],
            )
            self._types = dict(cursor.fetchall())
        return self._types

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
        from psycopg.types.json import set_json_dumps  # PostgreSQL only: not needed to import this module

        quote = connection.ops.quote_name
        sql = f"COPY {quote(meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN (FORMAT BINARY)"
        with connection.cursor() as cursor:
            types = self._column_types(cursor)
            set_json_dumps(_same, context=cursor.cursor)  # the converters have written the JSON text
            with cursor.cursor.copy(sql) as copy:
                copy.set_types([types[column] for column in columns])
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

    def update(self, rows: Iterable[Sequence]) -> None:
        """Set the given fields of existing rows, each row (id, *values in the order of the fields).
        On PostgreSQL the values go through COPY into a scratch table and one UPDATE joins it (an
        UPDATE per row, or bulk_update's CASE WHEN, costs many times as much for thousands of rows)."""
        meta = self.model._meta
        quote = connection.ops.quote_name
        table, key = quote(meta.db_table), quote(meta.pk.column)
        columns = [quote(field.column) for field in self.fields]
        converters = [(i + 1, convert) for i, convert in self.converters]
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{column} = %s" for column in columns)
            params = []
            for pk, *values in rows:
                prepared = [f.get_db_prep_save(v, connection) for f, v in zip(self.fields, values, strict=True)]
                params.append([*prepared, pk])
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key} = %s", params)
            return
        scratch = quote(f"bulk_update_{meta.db_table}")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            cursor.execute(f"CREATE TEMP TABLE {scratch} AS SELECT {key}, {', '.join(columns)} FROM {table} LIMIT 0")
            with cursor.cursor.copy(f"COPY {scratch} FROM STDIN") as copy:
                for row in rows:
                    if converters:
                        row = list(row)
                        for i, convert in converters:
                            row[i] = convert(row[i])
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {scratch}")  # else the planner may guess a join that reads the whole table
            sets = ", ".join(f"{column} = s.{column}" for column in columns)
            cursor.execute(f"UPDATE {table} t SET {sets} FROM {scratch} s WHERE t.{key} = s.{key}")
            cursor.execute(f"DROP TABLE {scratch}")

    # Other databases.
    def _bulk_create(self, rows, returning: bool) -> list[int] | None:
        attnames = self.attnames
        objects = [self.model(**dict(zip(attnames, row, strict=True))) for row in rows]
        with given_timestamps(self.model, *self.timestamps):
            self.model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        return [obj.pk for obj in objects] if returning else None

"""govcenter.bulk: rows written through COPY (PostgreSQL) or bulk_create (elsewhere) read back as the
values they were written from, whatever the field type and however awkward the text."""

import json
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, models
from django.test.utils import isolate_apps
from django.utils import timezone

from govcenter import bulk
from govcenter.divisions import Level
from govcenter.models import Center

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL")

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Text COPY has to escape, or that looks like what it writes for NULL.
AWKWARD = [
    "",
    "plain",
    "back\\slash",
    "\\N",
    "\\\\N",
    "N",
    "tab\there",
    "new\nline",
    "carriage\rreturn",
    "ends with a backslash\\",
    "\\t is not a tab",
    "quotes \" and ' and {braces}, commas",
    "综治中心 · 矛盾纠纷「调解」",
    "emoji 🙂 and a NUL-free \x01 control",
]


def _sample_model(with_array: bool):
    with isolate_apps("govcenter"):

        class Sample(models.Model):
            parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True)
            char = models.CharField(max_length=200, blank=True)
            text = models.TextField(blank=True)
            nullable_text = models.TextField(null=True, blank=True)
            slug = models.SlugField(blank=True)
            email = models.EmailField(blank=True)
            small = models.SmallIntegerField(default=0)
            number = models.IntegerField(default=0)
            big = models.PositiveBigIntegerField(default=0)
            real = models.FloatField(default=0)
            flag = models.BooleanField(default=False)
            maybe = models.BooleanField(null=True)
            money = models.DecimalField(max_digits=14, decimal_places=2, null=True)
            day = models.DateField(null=True)
            clock = models.TimeField(null=True)
            moment = models.DateTimeField(null=True)
            span = models.DurationField(null=True)
            details = models.JSONField(default=dict, blank=True)
            tags = models.JSONField(default=list, blank=True)
            nullable_json = models.JSONField(null=True)
            token = models.UUIDField(default=uuid.uuid4)
            address = models.GenericIPAddressField(null=True)
            upload = models.FileField(blank=True)
            blob = models.BinaryField(null=True)
            recorded_at = models.DateTimeField(auto_now_add=True)
            changed_at = models.DateTimeField(auto_now=True)
            if with_array:
                from django.contrib.postgres.fields import ArrayField

                words = ArrayField(models.TextField(null=True), default=list, blank=True)

            class Meta:
                app_label = "govcenter"
                db_table = "test_bulk_sample"

            def __str__(self):
                return self.char

    return Sample


@pytest.fixture
def sample(transactional_db):
    """A model with a field of every type (an array too on PostgreSQL), its table made for the test
    (outside a transaction: SQLite cannot change its schema inside one)."""
    model = _sample_model(with_array=connection.vendor == "postgresql")
    with connection.schema_editor() as editor:
        editor.create_model(model)
    yield model
    with connection.schema_editor() as editor:
        editor.delete_model(model)


FIELDS = [
    "char",
    "text",
    "nullable_text",
    "slug",
    "email",
    "small",
    "number",
    "big",
    "real",
    "flag",
    "maybe",
    "money",
    "day",
    "clock",
    "moment",
    "span",
    "details",
    "tags",
    "nullable_json",
    "token",
    "address",
    "upload",
    "blob",
    "changed_at",
]


def _values(index: int) -> dict:
    text = AWKWARD[index % len(AWKWARD)]
    return {
        "char": text,
        "text": "\n".join(AWKWARD),
        "nullable_text": None if index % 2 else text,
        "slug": f"slug-{index}",
        "email": f"user{index}@example.cn",
        "small": -32768 + index,
        "number": -(2**31) + index,
        "big": 2**63 - 1 - index,
        "real": 0.1 * index,
        "flag": bool(index % 2),
        "maybe": None if index % 3 == 0 else bool(index % 2),
        "money": None if index % 4 == 0 else Decimal("123456789012.34") - index,
        "day": date(2000, 2, 29) + timedelta(days=index),
        "clock": time(23, 59, 59, 999999 - index),
        "moment": datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=SHANGHAI) + timedelta(hours=index),
        "span": timedelta(days=index, seconds=3661, microseconds=7),
        "details": {"text": text, "all": AWKWARD, "nested": {"n": index, "none": None, "ok": True}},
        "tags": ["a", text, 1, None, 2.5],
        "nullable_json": None if index % 2 else "a JSON string, not NULL",
        "token": uuid.UUID(int=index + 1),
        "address": None if index % 2 else "192.168.0.1",
        "upload": f"files/{index}.pdf",
        "blob": None if index % 2 else bytes(range(256)),
        "changed_at": datetime(2024, 5, 6, 7, 8, 9, tzinfo=SHANGHAI),
    }


def _read(obj, name):
    value = getattr(obj, name)
    if name == "upload":
        return value.name
    if name == "blob" and value is not None:
        return bytes(value)
    return value


def test_rows_read_back_as_written_whatever_the_type(sample):
    table = bulk.Table(sample, FIELDS)
    written = [_values(index) for index in range(len(AWKWARD) + 3)]
    before = timezone.now()
    ids = table.insert([tuple(row[name] for name in FIELDS) for row in written], returning=True)
    assert len(ids) == len(written) == sample.objects.count()
    for pk, row in zip(ids, written, strict=True):
        obj = sample.objects.get(pk=pk)
        for name in FIELDS:
            assert _read(obj, name) == row[name], (name, row[name])
        assert obj.parent_id is None
        assert before <= obj.recorded_at <= timezone.now(), "auto_now_add left out: the time of the write"
        assert obj.changed_at == row["changed_at"], "auto_now given: kept"


def test_left_out_fields_get_their_defaults_and_ids_link_children(sample):
    parents = bulk.Table(sample, ["char"]).insert([("one",), ("two",)], returning=True)
    bulk.Table(sample, ["parent", "char"]).insert([(parents[1], "child")])
    child = sample.objects.get(char="child")
    assert child.parent.char == "two"
    assert (child.text, child.nullable_text, child.number, child.flag, child.maybe) == ("", None, 0, False, None)
    assert (child.details, child.tags, child.nullable_json, child.money) == ({}, [], None, None)
    tokens = set(sample.objects.values_list("token", flat=True))
    assert len(tokens) == 3, "a default made by a function is made for each row"


@on_postgresql
def test_arrays_round_trip(sample):
    table = bulk.Table(sample, ["char", "words"])
    rows = [("awkward", AWKWARD), ("with NULL", [None, "NULL", "null", ""]), ("empty", [])]
    table.insert(rows)
    assert {obj.char: obj.words for obj in sample.objects.all()} == dict(rows)


@on_postgresql
def test_ids_come_from_the_sequence_in_the_order_of_the_rows(sample):
    table = bulk.Table(sample, ["char"])
    ids = table.insert([(str(n),) for n in range(50)], returning=True)
    assert ids == sorted(ids) and len(set(ids)) == 50
    assert [int(char) for char in sample.objects.filter(pk__in=ids).order_by("pk").values_list("char", flat=True)] == [
        *range(50)
    ]
    later = sample.objects.create(char="saved the ordinary way")
    assert later.pk > max(ids), "the sequence moved on: a later save does not collide"
    assert table.allocate_ids(0) == []


def test_a_real_model_with_timestamps_given(db):
    """The seeders' case: historical rows keep the times they were given (auto_now and
    auto_now_add included), and the unique token each row needs is made per row."""
    at = datetime(2020, 3, 4, 5, 6, 7, tzinfo=SHANGHAI)
    table = bulk.Table(Center, ["code", "level", "name", "parent", "created_at", "updated_at"])
    [province] = table.insert([("62", Level.PROVINCE, "甘肃省", None, at, at)], returning=True)
    table.insert([(f"62{n:02d}", Level.CITY, f"市{n}", "62", at, at) for n in range(1, 4)])
    assert Center.objects.get(pk=province).code == "62"
    cities = Center.objects.filter(parent_id="62")
    assert cities.count() == 3
    assert set(cities.values_list("created_at", flat=True)) == {at}
    assert set(cities.values_list("updated_at", flat=True)) == {at}
    assert len(set(Center.objects.values_list("public_token", flat=True))) == 4
    assert all(Center.objects.values_list("is_active", flat=True))


def _deferrable(table: str) -> tuple[set, set]:
    """The table's non-unique indexes and foreign keys, as PostgreSQL's catalog has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef NOT LIKE 'CREATE UNIQUE%%'", [table]
        )
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        return indexes, set(cursor.fetchall())


@on_postgresql
def test_indexes_are_away_while_loading_and_back_afterwards_even_after_a_failure(sample):
    table = sample._meta.db_table
    before = _deferrable(table)
    assert before[0] and before[1], "the sample has a foreign key and its index"
    rows = bulk.Table(sample, ["char"])
    with pytest.raises(RuntimeError), bulk.indexes_deferred(sample):
        assert _deferrable(table) == (set(), set())
        rows.insert([("loaded without indexes",)])
        raise RuntimeError("the load failed")
    assert _deferrable(table) == before
    assert sample.objects.filter(char="loaded without indexes").exists()


@on_postgresql
def test_a_run_killed_while_loading_leaves_a_note_the_next_run_restores(sample):
    table = sample._meta.db_table
    before = _deferrable(table)
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON TABLE {table} IS 'the sample table'")
    killed = bulk.indexes_deferred(sample)
    killed.__enter__()  # and never __exit__: the process died
    assert _deferrable(table) == (set(), set())
    bulk.Table(sample, ["char"]).insert([("loaded before the process died",)])
    assert bulk.restore_indexes() == [table]
    assert _deferrable(table) == before
    assert bulk.restore_indexes() == [], "nothing left to do"
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET parent_id = -1")  # the foreign key holds again
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [table])
        assert cursor.fetchone()[0] == "the sample table", "the table's own comment is back"


def test_rows_of_a_queryset_are_what_django_reads(sample):
    table = bulk.Table(sample, FIELDS)
    table.insert([tuple(_values(index)[name] for name in FIELDS) for index in range(5)])
    queryset = sample.objects.order_by("pk").values_list("pk", "char", "money", "day", "moment", "flag", "maybe")
    assert bulk.rows(queryset) == list(queryset)
    moments = [row[4] for row in bulk.rows(queryset)]
    assert all(moment.utcoffset().total_seconds() == 0 for moment in moments), "in UTC, as Django gives them"


def test_json_that_looks_alike_stays_apart(sample):
    """Plain dicts and lists of strings are encoded once and remembered: what only looks alike to a
    dict lookup (True and 1, "1" and 1) must still be written as given."""
    values = [{"a": "x"}, {"a": "x"}, {"a": True}, {"a": 1}, {"a": "1"}, ["x", "y"], ["x", "y"], [1, True], {}, []]
    table = bulk.Table(sample, ["number", "details", "tags"])
    table.insert([(index, value, value) for index, value in enumerate(values)])
    rows = list(sample.objects.order_by("number").values_list("details", "tags"))
    given = [json.dumps(value) for value in values]  # JSON tells true from 1, as == does not
    assert [json.dumps(details) for details, _tags in rows] == given
    assert [json.dumps(tags) for _details, tags in rows] == given

"""``insert``: many new rows of one model in one statement, for hot paths.

``QuerySet.bulk_create`` compiles its INSERT anew on every call, and its compiler
spends more per value than preparing the value itself: in the report writer, which
stores a batch of reports, their incidents and their timeline rows several hundred
times a second, it was a third of the writer's time. ``insert`` prepares each value
exactly as ``bulk_create`` does (``pre_save`` then ``get_db_prep_save``, so defaults,
``auto_now_add``, JSON and file fields behave the same), with the statement built
once per model and connection vendor.

What it does not do, and so where it must not be used: models whose primary key the
database assigns (we need it set on the instance: every model it is used for has a
UUID default), fields with ``db_default`` or generated columns, multi-table
inheritance, and ``ignore_conflicts`` / ``update_conflicts``. ``_check`` refuses such a
model when it is first used.

``insert_returning_pk`` is the same for a model whose primary key the database assigns
(the incident timeline's auto-incrementing id): one multi-row INSERT ... RETURNING,
the statement built once per model, vendor and number of rows, each key set on its
instance in the order of VALUES, as ``bulk_create`` does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models


@cache
def _statement(model: type[models.Model], vendor: str) -> tuple[str, tuple[Any, ...]]:
    """(INSERT statement, fields in its column order) for ``model`` on ``vendor``."""
    _check(model)
    meta = model._meta
    fields = tuple(meta.concrete_fields)
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Names from the model's own metadata; values are always parameters.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    return sql, fields


def _check(model: type[models.Model], *, key_from_database: bool = False) -> None:
    """Refuse a model these inserts would store differently from ``bulk_create``; its
    primary key set in Python (``insert``) or by the database (``insert_returning_pk``)."""
    meta = model._meta
    name = "insert_returning_pk()" if key_from_database else "insert()"
    if meta.parents:
        raise TypeError(f"{name} does not handle multi-table inheritance ({meta.label})")
    if key_from_database and (meta.pk is None or not meta.pk.db_returning):
        raise TypeError(f"{name} needs a database-assigned key ({meta.label})")
    if not key_from_database and (meta.pk is None or not meta.pk.has_default()):
        raise TypeError(f"{name} needs a primary key set in Python ({meta.label})")
    for field in meta.concrete_fields:
        if field is meta.pk and key_from_database:
            continue
        if getattr(field, "generated", False) or getattr(field, "db_default", None) not in (
            None,
            models.NOT_PROVIDED,
        ):
            raise TypeError(f"{name} does not handle {meta.label}.{field.name}")


def execute_rows(cursor: Any, sql: str, rows: list[list[Any]]) -> None:
    """Run ``sql`` once per row of parameters: ``execute`` for one row, since psycopg
    runs ``executemany`` in pipeline mode, whose setup and sync cost more than one row
    (the report writer's batches are mostly one report)."""
    if len(rows) == 1:
        cursor.execute(sql, rows[0])
    else:
        cursor.executemany(sql, rows)


# Rows per INSERT ... RETURNING: one statement per row count is kept, and a statement
# stays far under SQLite's limit on parameters (32,766).
RETURNING_ROWS = 100


@cache
def _statement_returning(
    model: type[models.Model], vendor: str, rows: int
) -> tuple[str, tuple[Any, ...]]:
    """(INSERT of ``rows`` rows RETURNING the primary key, fields in column order)."""
    _check(model, key_from_database=True)
    meta = model._meta
    assert meta.pk is not None  # noqa: S101 - checked above
    fields = tuple(field for field in meta.concrete_fields if field is not meta.pk)
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Names from the model's own metadata; values are always parameters.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES {', '.join([row] * rows)} RETURNING {quote(str(meta.pk.column))}"
    )
    return sql, fields


def insert_returning_pk(model: type[models.Model], objs: list[Any]) -> None:
    """INSERT ``objs`` (new instances of ``model``, whose primary key the database
    assigns) in one statement and set each one's primary key, as
    ``model.objects.bulk_create(objs)`` would on PostgreSQL and SQLite: the rows of
    RETURNING come in the order of VALUES, which bulk_create relies on too. More than
    ``RETURNING_ROWS`` objects go in statements of that many rows."""
    if not objs:
        return
    if len(objs) > RETURNING_ROWS:
        for start in range(0, len(objs), RETURNING_ROWS):
            insert_returning_pk(model, objs[start : start + RETURNING_ROWS])
        return
    connection = connections[DEFAULT_DB_ALIAS]
    sql, fields = _statement_returning(model, connection.vendor, len(objs))
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in objs
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    for obj, (key,) in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS


def insert(model: type[models.Model], objs: list[Any]) -> None:
    """INSERT ``objs`` (new instances of ``model``) in one ``executemany``, as
    ``model.objects.bulk_create(objs)`` would store them."""
    if not objs:
        return
    # The connection itself, not django.db.connection: that proxy's attribute lookups
    # cost more than the values' preparation.
    connection = connections[DEFAULT_DB_ALIAS]
    sql, fields = _statement(model, connection.vendor)
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        execute_rows(cursor, sql, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS

"""Rows of several models written at once, for hot paths (the report writer).

``QuerySet.bulk_create`` compiles its INSERT anew on every call and needs a model
instance per row; in the report writer, which stores a batch of reports, their
incidents and their timeline rows several hundred times a second, the ORM's work was
most of the writer's time (benchmarks/results/postgres/reports_http_notes.md).
``Table.row`` prepares each value exactly as ``bulk_create`` does
(``get_db_prep_save``, defaults as a new instance takes them, so JSON, UUID and file
fields behave the same) from a dict, without an instance; ``write`` sends the rows of
several tables and an update in ONE statement on PostgreSQL, the statements built once
per shape.

What it does not do, and so where it must not be used: fields with ``db_default``,
generated columns, ``auto_now``/``auto_now_add`` (set in ``pre_save``), multi-table
inheritance, and ``ignore_conflicts`` / ``update_conflicts``. ``_check`` refuses such
a model when its ``Table`` is built.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections, models


def _check(model: type[models.Model]) -> None:
    """Refuse a model whose rows ``Table`` would store differently from ``bulk_create``."""
    meta = model._meta
    pk = meta.pk
    if meta.parents:
        raise TypeError(f"Table() does not handle multi-table inheritance ({meta.label})")
    if pk is None or not (pk.db_returning or pk.has_default()):
        raise TypeError(
            f"Table() needs a primary key set in Python or by the database ({meta.label})"
        )
    for field in meta.concrete_fields:
        if field is pk and pk.db_returning:
            continue
        if (
            getattr(field, "generated", False)
            or getattr(field, "db_default", None) not in (None, models.NOT_PROVIDED)
            or getattr(field, "auto_now", False)
            or getattr(field, "auto_now_add", False)
        ):
            raise TypeError(f"Table() does not handle {meta.label}.{field.name}")


def execute_rows(cursor: Any, sql: str, rows: list[list[Any]]) -> None:
    """Run ``sql`` once per row of parameters: ``execute`` for one row, since psycopg
    runs ``executemany`` in pipeline mode, whose setup and sync cost more than one row
    (the report writer's batches are mostly one report)."""
    if len(rows) == 1:
        cursor.execute(sql, rows[0])
    else:
        cursor.executemany(sql, rows)


# Rows per INSERT ... RETURNING on SQLite: one statement per row count is kept, and a
# statement stays far under SQLite's limit on parameters (32,766).
RETURNING_ROWS = 100


class Table:
    """Rows of one model prepared for the database without model instances: for a hot
    path that writes several models' rows at once (``write``). ``row(values)`` gives
    one row's values in column order, each prepared as ``bulk_create`` prepares it
    (``get_db_prep_save``), a field missing from ``values`` taking its default as a new
    instance would. Keys of ``values`` are attribute names (``incident_id``, not
    ``incident``). A model whose primary key the database assigns leaves it out
    (``write`` returns the keys); one whose fields ``_check`` refuses is refused, and
    so is a field with ``auto_now``/``auto_now_add`` (set in ``pre_save``, which
    needs an instance)."""

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        assert meta.pk is not None  # noqa: S101 - every concrete model has one
        self.key_from_database = bool(meta.pk.db_returning)
        _check(model)
        self.model = model
        self.fields = tuple(
            field
            for field in meta.concrete_fields
            if not (self.key_from_database and field is meta.pk)
        )
        self.attnames = tuple(field.attname for field in self.fields)
        # Every concrete field by attribute name (the primary key too), for updates.
        self.by_name = {field.attname: field for field in meta.concrete_fields}

    def row(self, values: dict[str, Any], connection: Any) -> list[Any]:
        return [
            field.get_db_prep_save(
                values[name] if name in values else field.get_default(), connection
            )
            for field, name in zip(self.fields, self.attnames, strict=True)
        ]

    def values(self, names: tuple[str, ...], values: dict[str, Any], connection: Any) -> list[Any]:
        """The prepared values of the fields ``names`` (attribute names), for ``Update``."""
        fields = self.by_name
        return [fields[name].get_db_prep_save(values[name], connection) for name in names]

    def column_types(self, names: tuple[str, ...], connection: Any) -> tuple[str, ...]:
        """The database types of the columns of ``names`` (attribute names), for casts."""
        return tuple(str(self.by_name[name].cast_db_type(connection)) for name in names)


class Update(NamedTuple):
    """Rows of one model to update by primary key: ``names`` are the attribute names
    set, each row their prepared values followed by the row's primary key."""

    table: Table
    names: tuple[str, ...]
    rows: list[list[Any]]


def write(
    inserts: list[tuple[Table, list[list[Any]]]],
    *,
    update: Update | None = None,
    commit: bool = False,
) -> list[Any]:
    """Insert the rows of each table, in order, then update ``update``'s rows; return
    the keys the database assigned to the rows of the LAST insert (in the order of its
    rows, as ``insert_returning_pk``), which must be such a table.

    On PostgreSQL all of it is ONE statement (data-modifying WITH queries: the inserts
    and the update before the last insert, which returns the keys): one round trip and
    one parse, where separate statements cost about 0.1 ms of Python each in the report
    writer (benchmarks/results/postgres/reports_http_notes.md). Its parts see the same
    snapshot, so the update must not touch rows the inserts add, and no row may be
    updated twice; foreign keys are checked after the statement (or at commit, where
    deferred), so a row may refer to one inserted by an earlier part. On SQLite, which
    has no data-modifying WITH, each part is a statement of its own, in the same order.

    ``commit`` (PostgreSQL only): the statement goes with the ``COMMIT`` of a
    transaction its caller began itself (``BEGIN`` sent as text, Django's connection
    left in autocommit), in the same round trip; the keys come from the statement's
    own result, before the COMMIT's.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    parts = [(table, rows) for table, rows in inserts if rows]
    if not parts:
        raise ValueError("write() needs rows to insert")
    *first, (last, last_rows) = parts
    if not last.key_from_database:
        raise TypeError(f"write() returns keys the database assigns ({last.model._meta.label})")
    if update is not None and not update.rows:
        update = None
    shape = (
        tuple((table.model, len(rows)) for table, rows in first),
        (update.table.model, update.names, len(update.rows)) if update else None,
        (last.model, len(last_rows)),
    )
    params: list[Any] = []
    for _, rows in first:
        for row in rows:
            params.extend(row)
    if commit and connection.vendor != "postgresql":
        raise ValueError("write(commit=True) is for PostgreSQL")
    if connection.vendor == "postgresql":
        if update is not None:
            for row in update.rows:
                params.extend(row)
        for row in last_rows:
            params.extend(row)
        sql = _combined_statement(shape, connection.vendor)
        with connection.cursor() as cursor:
            # Several statements in one query: Django's psycopg cursors bind on the
            # client and send it whole; the cursor stands on the first one's rows.
            cursor.execute(sql + "; COMMIT" if commit else sql, params)
            return [key for (key,) in cursor.fetchall()]
    with connection.cursor() as cursor:
        for table, rows in first:
            execute_rows(cursor, _insert_sql(table.model, connection.vendor, 1), rows)
        if update is not None:
            execute_rows(cursor, _update_sql(update.table.model, update.names), update.rows)
        keys: list[Any] = []
        for start in range(0, len(last_rows), RETURNING_ROWS):
            chunk = last_rows[start : start + RETURNING_ROWS]
            cursor.execute(
                _insert_sql(last.model, connection.vendor, len(chunk), returning=True),
                [value for row in chunk for value in row],
            )
            keys.extend(key for (key,) in cursor.fetchall())
        return keys


@cache
def table(model: type[models.Model]) -> Table:
    """The ``Table`` of ``model``, built once."""
    return Table(model)


@cache
def _insert_sql(
    model: type[models.Model], vendor: str, rows: int, *, returning: bool = False
) -> str:
    meta = model._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = table(model).fields
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Names from the model's own metadata; values are always parameters.
    return (
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(str(f.column)) for f in fields)}) VALUES {', '.join([row] * rows)}"
        + (f" RETURNING {quote(str(meta.pk.column))}" if returning and meta.pk else "")
    )


@cache
def _update_sql(model: type[models.Model], names: tuple[str, ...]) -> str:
    meta = model._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    by_name = table(model).by_name
    assert meta.pk is not None  # noqa: S101 - every concrete model has one
    # Names from the model's own metadata; values are always parameters.
    return "UPDATE {table} SET {columns} WHERE {pk} = %s".format(  # noqa: S608
        table=quote(meta.db_table),
        columns=", ".join(f"{quote(str(by_name[name].column))} = %s" for name in names),
        pk=quote(str(meta.pk.column)),
    )


@lru_cache(maxsize=512)
def _combined_statement(shape: tuple[Any, ...], vendor: str) -> str:
    """``write``'s one statement on PostgreSQL for rows of this shape."""
    first, update, (last_model, last_rows) = shape
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    parts = [
        f"i{n} AS ({_insert_sql(model, vendor, rows)})" for n, (model, rows) in enumerate(first)
    ]
    if update is not None:
        model, names, rows = update
        meta = model._meta
        connection = connections[DEFAULT_DB_ALIAS]
        types = (*table(model).column_types(names, connection), meta.pk.cast_db_type(connection))
        row = "(" + ", ".join(f"%s::{kind}" for kind in types) + ")"
        by_name = table(model).by_name
        columns = [quote(str(by_name[name].column)) for name in names]
        pk = quote(str(meta.pk.column))
        # Names from the model's own metadata; values are always parameters.
        parts.append(
            f"u AS (UPDATE {quote(meta.db_table)} AS t SET "  # noqa: S608
            + ", ".join(f"{column} = v.{column}" for column in columns)
            + f" FROM (VALUES {', '.join([row] * rows)}) AS v({', '.join(columns)}, {pk}) "
            f"WHERE t.{pk} = v.{pk})"
        )
    last = _insert_sql(last_model, vendor, last_rows, returning=True)
    return (f"WITH {', '.join(parts)} " if parts else "") + last

"""The directory's tables in the data inventory (vecinos/core/inventory.py). Everything
here is public information about organizations; nothing about people who seek help."""

from vecinos.core.inventory import INTERNAL, PERSONAL, PUBLIC, ROW, Entry, Table

KEPT = "until an admin removes it"

TABLES: dict[str, Table] = {
    "directory.Organization": Table(
        about="A legal-aid organization in the directory.",
        retention=KEPT,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "name": Entry(PUBLIC, ROW, "published"),
            "slug": Entry(PUBLIC, ROW, "its name in addresses and CSV files"),
            "description": Entry(PUBLIC, ROW, "published"),
            "services": Entry(PUBLIC, ROW, "kinds of help it gives"),
            "languages": Entry(PUBLIC, ROW, "languages it works in"),
            "hours": Entry(PUBLIC, ROW, "published"),
            "phone": Entry(PUBLIC, ROW, "the organization's public number"),
            "website": Entry(PUBLIC, ROW, "published"),
            "zip_codes": Entry(PUBLIC, ROW, "the ZIP codes it serves"),
            "area_cells": Entry(PUBLIC, ROW, "H3 resolution-8 cells of those ZIP codes"),
            "takes_new_cases": Entry(PUBLIC, ROW, "published"),
            "last_checked": Entry(PUBLIC, ROW, "when someone last confirmed the entry"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
            "created_at": Entry(INTERNAL, ROW, "when it was added"),
            "updated_at": Entry(INTERNAL, ROW, "when it was last changed"),
        },
    ),
    "directory.Hotline": Table(
        about="A rapid-response number: the network's or a committee's.",
        retention=KEPT,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "label": Entry(PUBLIC, ROW, "published"),
            "phone": Entry(PUBLIC, ROW, "a public hotline number, never a person's own"),
            "hours": Entry(PUBLIC, ROW, "published"),
            "committee": Entry(PUBLIC, ROW, "whose hotline; empty for the network's"),
            "position": Entry(INTERNAL, ROW, "order in lists"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
        },
    ),
    "directory.DirectoryEvent": Table(
        about="The directory's history: imports, changes, checks.",
        retention=KEPT,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "kind": Entry(INTERNAL, ROW, "imported, created, updated or checked"),
            "organization": Entry(INTERNAL, ROW, "which organization"),
            "actor": Entry(PERSONAL, ROW, "the admin who did it"),
            "at": Entry(INTERNAL, ROW, "when"),
            "detail": Entry(INTERNAL, ROW, "CSV line, counts; never personal data"),
        },
    ),
}

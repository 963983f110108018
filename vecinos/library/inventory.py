"""The library's tables in the data inventory (vecinos/core/inventory.py). The family
plan is not here: it never reaches the server (it is kept, encrypted, in the browser's
localStorage under the key ``vecinos-family-plan``)."""

from vecinos.core.inventory import INTERNAL, PERSONAL, PUBLIC, ROW, Entry, Store, Table

KEPT_CONTENT = "kept until an admin deletes the page (published material)"

TABLES: dict[str, Table] = {
    "library.Page": Table(
        about="A know-your-rights page (at the door, in the street, red card...).",
        retention=KEPT_CONTENT,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "slug": Entry(PUBLIC, ROW, "the page's name in addresses"),
            "position": Entry(PUBLIC, ROW, "order in the library"),
            "created_at": Entry(INTERNAL, ROW, "when it was made"),
        },
    ),
    "library.Translation": Table(
        about="A page in one language: its current text and whether it was reviewed.",
        retention=KEPT_CONTENT,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "page": Entry(PUBLIC, ROW, "which page"),
            "language": Entry(PUBLIC, ROW, "an alert language code"),
            "title": Entry(PUBLIC, ROW, "published text"),
            "summary": Entry(PUBLIC, ROW, "published text"),
            "sections": Entry(PUBLIC, ROW, "published text: headings and points"),
            "reviewed": Entry(PUBLIC, ROW, "whether a fluent person reviewed it; shown"),
            "reviewer": Entry(PUBLIC, ROW, "who reviewed it (a name they agree to show)"),
            "reviewed_on": Entry(PUBLIC, ROW, "when it was reviewed"),
            "version": Entry(PUBLIC, ROW, "its version number"),
            "source": Entry(INTERNAL, ROW, "shipped with Vecinos or edited here"),
            "updated_at": Entry(PUBLIC, ROW, "when it was last saved"),
            "updated_by": Entry(PERSONAL, ROW, "the editor who last saved it; shown to editors"),
        },
    ),
    "library.Revision": Table(
        about="One saved version of a translation (the library's history).",
        retention=KEPT_CONTENT,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "translation": Entry(INTERNAL, ROW, "which translation"),
            "version": Entry(INTERNAL, ROW, "its number"),
            "title": Entry(PUBLIC, ROW, "the text as it was"),
            "summary": Entry(PUBLIC, ROW, "the text as it was"),
            "sections": Entry(PUBLIC, ROW, "the text as it was"),
            "reviewed": Entry(PUBLIC, ROW, "as it was"),
            "reviewer": Entry(PUBLIC, ROW, "as it was"),
            "reviewed_on": Entry(PUBLIC, ROW, "as it was"),
            "saved_at": Entry(INTERNAL, ROW, "when it was saved"),
            "saved_by": Entry(PERSONAL, ROW, "who saved it; empty for shipped text"),
            "note": Entry(INTERNAL, ROW, "what changed, in the editor's words"),
        },
    ),
}

STORES = [
    Store(
        "The family plan (the visitor's own browser, localStorage; never the server)",
        "a family's emergency plan, encrypted in the browser with a key derived from the "
        "family's passphrase (PBKDF2-SHA-256, AES-GCM); no request carries it "
        "(tests/browser/test_family_plan_stays_on_the_device.py)",
        "until the family erases it from the page or clears the browser's storage",
    ),
    Store(
        "The library's offline cache (the visitor's browser, Cache Storage)",
        "copies of public know-your-rights pages and red cards, for reading offline",
        "until the browser evicts it or a new version of the library's worker replaces it",
    ),
]

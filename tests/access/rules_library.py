"""Access rules of the library (vecinos/library/urls.py): public reading and printing;
editing by admins and coordinators (of any committee: the library is the network's)."""

from __future__ import annotations

from tests.access.matrix import EVERYONE, Rule

EDITORS = {"carmen", "olga", "ana"}
PAGE = {"lang": "ko", "slug": "door"}
EDIT = {"slug": "door", "lang": "es"}

RULES = [
    Rule("library_index", allowed=EVERYONE),
    Rule("library_language", kwargs=lambda w: {"lang": "km"}, allowed=EVERYONE),
    Rule("library_page", kwargs=lambda w: PAGE, allowed=EVERYONE),
    Rule("library_card_pdf", kwargs=lambda w: {"lang": "fa"}, allowed=EVERYONE),
    Rule("library_card_sheet", kwargs=lambda w: {"lang": "es"}, allowed=EVERYONE),
    Rule("library_flyer_pdf", kwargs=lambda w: {"lang": "hy"}, allowed=EVERYONE),
    Rule("library_plan", allowed=EVERYONE),
    Rule("library_service_worker", allowed=EVERYONE),
    Rule("library_edit_list", allowed=EDITORS),
    Rule("library_edit", kwargs=lambda w: EDIT, allowed=EDITORS),
    Rule(
        "library_edit",
        method="POST",
        kwargs=lambda w: EDIT,
        data=lambda w: {"title": "Sus derechos", "body": "## En la puerta\n- No abra."},
        allowed=EDITORS,
    ),
    Rule("library_history", kwargs=lambda w: EDIT, allowed=EDITORS),
]

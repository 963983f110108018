from django.utils.translation import gettext_lazy as _

from vecinos.core.nav import NavItem

ITEMS = [
    NavItem(label=_("Know your rights"), url_name="library_index", order=55),
    NavItem(
        label=_("Edit the library"),
        url_name="library_edit_list",
        visible=lambda user: bool(user.is_authenticated and user.is_coordinator),
        order=91,
    ),
]

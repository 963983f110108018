from django.utils.translation import gettext_lazy as _

from vecinos.core.nav import NavItem

ITEMS = [
    NavItem(label=_("Legal help"), url_name="directory_search", order=60),
    NavItem(
        label=_("Legal-aid directory"),
        url_name="directory_manage",
        visible=lambda user: bool(user.is_authenticated and user.is_admin),
        order=90,
    ),
]

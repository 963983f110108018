from django.utils.translation import gettext_lazy as _

from vecinos.core.nav import NavItem, signed_in

ITEMS = [
    NavItem(label=_("Committees"), url_name="committees:list", order=40),
    NavItem(label=_("My committees"), url_name="committees:home", visible=signed_in, order=41),
]

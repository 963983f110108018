from django.utils.translation import gettext_lazy as _

from vecinos.core.nav import NavItem, signed_in

# Shown to everyone signed in (asking each page whether the person is in a committee
# would cost every page a query); the page says so when they are in none.
ITEMS = [NavItem(label=_("Organizing"), url_name="organizing:home", visible=signed_in, order=40)]

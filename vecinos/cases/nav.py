"""Header links of detention support."""

from django.utils.translation import gettext_lazy as _

from vecinos.cases import queries
from vecinos.core.nav import NavItem, anyone

ITEMS = [
    NavItem(label=_("Someone was detained"), url_name="cases:detained", visible=anyone, order=60),
    NavItem(label=_("Cases"), url_name="cases:list", visible=queries.may_work_cases, order=40),
    NavItem(label=_("My tasks"), url_name="cases:tasks", visible=queries.has_tasks, order=45),
]

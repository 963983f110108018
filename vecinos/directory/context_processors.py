from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from vecinos.directory.queries import network_hotlines


def hotlines(request: HttpRequest) -> dict[str, object]:
    """The network's hotlines for the footer of every page; read only by a page that
    shows them."""
    return {"NETWORK_HOTLINES": SimpleLazyObject(network_hotlines)}

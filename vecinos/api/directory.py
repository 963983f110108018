"""The legal-aid directory and the hotlines, public and read-only: the same search as
the /legal-help/ page (vecinos/directory/queries.py)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from vecinos.alerts.areas import AreaError, zip_area
from vecinos.alerts.phrases import BOOKS
from vecinos.api.errors import PUBLIC_ERRORS, ErrorOut
from vecinos.directory import queries
from vecinos.directory.models import Organization, Service

router = Router(tags=["directory"])

PUBLIC_MAX_AGE = 300
ERRORS = {**PUBLIC_ERRORS, 422: ErrorOut}


class OrganizationOut(Schema):
    slug: str
    name: str
    description: str
    services: list[str]
    languages: list[str]
    hours: str
    phone: str
    website: str
    zip_codes: list[str]
    takes_new_cases: bool
    last_checked: date


class SearchIn(Schema):
    zip: str = ""
    language: str = ""
    service: str = ""


class HotlineOut(Schema):
    label: str
    phone: str
    hours: str
    committee: str


def _organization_out(o: Organization) -> OrganizationOut:
    return OrganizationOut(
        slug=o.slug,
        name=o.name,
        description=o.description,
        services=o.services,
        languages=o.languages,
        hours=o.hours,
        phone=o.phone,
        website=o.website,
        zip_codes=o.zip_codes,
        takes_new_cases=o.takes_new_cases,
        last_checked=o.last_checked,
    )


@router.get(
    "/legal-aid",
    response={200: list[OrganizationOut], **ERRORS},
    summary="Legal-aid organizations, by ZIP code, language and service",
    url_name="legal_aid",
)
def legal_aid(
    request: HttpRequest, response: HttpResponse, filters: Query[SearchIn]
) -> list[OrganizationOut]:
    if filters.zip:
        try:
            zip_area(filters.zip.strip())
        except AreaError as error:
            raise ValidationError({"zip": [str(error.message)]}) from None
    if filters.language and filters.language not in BOOKS:
        raise ValidationError({"language": [f"one of {', '.join(BOOKS)}"]})
    if filters.service and filters.service not in Service.values:
        raise ValidationError({"service": [f"one of {', '.join(Service.values)}"]})
    patch_cache_control(response, max_age=PUBLIC_MAX_AGE)
    found = queries.search(
        zip_code=filters.zip.strip(), language=filters.language, service=filters.service
    )
    return [_organization_out(o) for o in found]


@router.get(
    "/legal-aid/{slug}",
    response={200: OrganizationOut, 404: ErrorOut, **PUBLIC_ERRORS},
    summary="One legal-aid organization",
    url_name="legal_aid_one",
)
def legal_aid_one(request: HttpRequest, slug: str) -> OrganizationOut:
    o = queries.get_organization(slug)
    if o is None:
        raise HttpError(404, "Not found.")
    return _organization_out(o)


@router.get(
    "/hotlines",
    response={200: list[HotlineOut], **PUBLIC_ERRORS},
    summary="The network's and the committees' hotlines",
    url_name="hotlines",
)
def hotlines(request: HttpRequest, response: HttpResponse) -> list[HotlineOut]:
    patch_cache_control(response, max_age=PUBLIC_MAX_AGE)
    numbers = queries.network_hotlines() + queries.committee_hotlines()
    return [
        HotlineOut(label=n.label, phone=n.phone, hours=n.hours, committee=n.committee)
        for n in numbers
    ]

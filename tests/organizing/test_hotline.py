"""The committee hotline, called over HTTP by a Twilio-compatible caller that checks
every TwiML answer (tests/servers/twilio_voice.py): it rings whoever is on call, then
the backup, then takes a voicemail that becomes a report in the dispatcher queue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import Settings

from tests.conftest import TWILIO_TEST_TOKEN
from tests.organizing.conftest import ROSA_PHONE, join, train
from tests.servers.twilio_voice import TwilioVoice, TwiMLError, check_twiml
from vecinos.accounts.models import Role, User
from vecinos.committees.models import Committee
from vecinos.delivery.models import ReporterContact, ResponderContact
from vecinos.organizing import actions
from vecinos.organizing.models import OrganizingEvent, Shift
from vecinos.reports.models import Report

pytestmark = pytest.mark.django_db(transaction=True)
HOTLINE = "+13235550180"
CALLER = "+12135550155"
LUIS_PHONE = "+12135550191"


@pytest.fixture
def twilio(live_server, settings: Settings) -> Iterator[TwilioVoice]:  # type: ignore[no-untyped-def]
    settings.TWILIO_AUTH_TOKEN = TWILIO_TEST_TOKEN
    settings.VECINOS_PUBLIC_ORIGIN = live_server.url
    yield TwilioVoice(live_server.url, token=TWILIO_TEST_TOKEN)


@pytest.fixture
def hotline(committee: Committee, carmen: User) -> str:
    actions.set_hotline(committee=committee, number=HOTLINE, actor=carmen)
    return HOTLINE


@pytest.fixture
def luis(committee: Committee, carmen: User) -> User:
    person = User.objects.create_user(username="luis", password="x", role=Role.RESPONDER)
    join(committee, person)
    train(committee, person, by=carmen)
    actions.grant_responder(committee=committee, user=person, actor=carmen)
    ResponderContact.objects.create(user=person, channel="sms", contact=LUIS_PHONE)
    return person


@pytest.fixture
def on_call(shift_now: Shift, trained_rosa: User, rosa_phone: str, luis: User) -> Shift:
    """rosa on call now, luis her backup."""
    actions.sign_up_shift(shift=shift_now, user=trained_rosa, actor=trained_rosa)
    actions.sign_up_shift(shift=shift_now, user=luis, position="backup", actor=luis)
    return shift_now


def test_the_hotline_rings_whoever_is_on_call_and_they_answer(
    twilio: TwilioVoice, hotline: str, on_call: Shift
) -> None:
    call = twilio.call(caller=CALLER, called=hotline, answering=(ROSA_PHONE,))

    assert call.rang() == [[ROSA_PHONE]]
    assert ("answered", ROSA_PHONE) in call.log
    assert not Report.objects.exists()


def test_all_on_call_phones_ring_at_once(
    committee: Committee, twilio: TwilioVoice, hotline: str, on_call: Shift, luis: User
) -> None:
    on_call.assignments.filter(user=luis).update(position="on_call")

    call = twilio.call(caller=CALLER, called=hotline, answering=(LUIS_PHONE,))

    assert sorted(call.rang()[0]) == sorted([ROSA_PHONE, LUIS_PHONE])


def test_nobody_answers_so_the_backup_rings_then_a_voicemail_becomes_a_report(
    twilio: TwilioVoice, hotline: str, on_call: Shift
) -> None:
    call = twilio.call(caller=CALLER, called=hotline, answering=(), message_seconds=23)

    assert call.rang() == [[ROSA_PHONE], [LUIS_PHONE]]
    languages = [language for language, _text in call.said()]
    assert languages[:2] == ["es-MX", "en-US"]
    assert ("record", 23) in call.log
    report = Report.objects.get()
    assert (report.channel, report.incident.needs_location) == ("hotline", True)
    assert "23 seconds" in report.description
    assert "RE" in report.description and "https://" not in report.description
    # The caller's number is kept only as an SMS reporter's is: encrypted, with the report.
    assert str(ReporterContact.objects.get(report=report).contact) == CALLER
    (voicemail,) = OrganizingEvent.objects.filter(type="voicemail")
    assert CALLER not in str(voicemail.data)


def test_with_nobody_on_shift_the_caller_goes_straight_to_voicemail(
    twilio: TwilioVoice, hotline: str, committee: Committee
) -> None:
    call = twilio.call(caller=CALLER, called=hotline, message_seconds=5)

    assert call.rang() == []
    assert Report.objects.count() == 1


def test_an_unsigned_call_is_refused(twilio: TwilioVoice, hotline: str) -> None:
    status, _body, _type = twilio.post(
        "/hotline/twilio/voice", {"From": CALLER, "To": hotline, "CallSid": "CA1"}, signed=False
    )

    assert status == 403


def test_a_recording_posted_twice_is_one_report(
    twilio: TwilioVoice, hotline: str, committee: Committee
) -> None:
    params = {"From": CALLER, "To": hotline, "CallSid": "CA1", "RecordingDuration": "9"}
    params["RecordingSid"] = "RE" + "1" * 32
    for _ in range(2):
        status, body, content_type = twilio.post("/hotline/twilio/voice/recorded", params)
        assert status == 200
        check_twiml(body, content_type)

    assert Report.objects.count() == 1


def test_a_bad_recording_callback_is_a_400(twilio: TwilioVoice, hotline: str) -> None:
    status, _body, _type = twilio.post(
        "/hotline/twilio/voice/recorded",
        {"From": CALLER, "To": hotline, "RecordingSid": "nope", "RecordingDuration": "x"},
    )

    assert status == 400


def test_an_unknown_number_says_it_is_not_in_service(twilio: TwilioVoice, db: None) -> None:
    call = twilio.call(caller=CALLER, called="+13235550999")

    assert call.log[-1] == ("hangup", "")
    assert not Report.objects.exists()


def test_the_fake_refuses_twiml_twilio_would_refuse() -> None:
    with pytest.raises(TwiMLError, match="Number"):
        check_twiml(b"<Response><Dial timeout='20'></Dial></Response>", "text/xml")
    with pytest.raises(TwiMLError, match=r"E\.164"):
        check_twiml(b"<Response><Dial><Number>555</Number></Dial></Response>", "text/xml")
    with pytest.raises(TwiMLError, match="root"):
        check_twiml(b"<Reply/>", "text/xml")
    with pytest.raises(TwiMLError, match="maxLength"):
        check_twiml(b"<Response><Record maxLength='0'/></Response>", "text/xml")


def test_an_ended_shift_rings_nobody(twilio: TwilioVoice, hotline: str, on_call: Shift) -> None:
    Shift.objects.update(ends_at=timezone.now() - timedelta(minutes=1))

    call = twilio.call(caller=CALLER, called=hotline)

    assert call.rang() == []

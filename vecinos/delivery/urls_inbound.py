"""Twilio webhooks (inbound SMS, status callbacks) and the console's reply to a
reporter: included at the site root by vecinos/urls.py."""

from django.urls import path

from vecinos.delivery import inbound, views_reply

urlpatterns = [
    path("sms/twilio", inbound.twilio_inbound, name="sms_twilio"),
    path("sms/twilio/status", inbound.twilio_status, name="sms_twilio_status"),
    path("console/reports/<uuid:report_id>/reply", views_reply.reply, name="console_reply"),
]

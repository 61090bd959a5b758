"""E-mails leave through a real SMTP server on loopback (aiosmtpd), queued as tasks after the commit."""

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller

from events import meeting_requests
from tests.services import free_port

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, message))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Partnering Salon <noreply@salon.local>"
    yield inbox
    controller.stop()


def test_a_request_mails_the_bd_team_in_its_language_once_committed(
    smtp, salon, startup, offer, need, owner, bd, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meeting_requests.meeting_request_create(
            event=salon,
            requester=startup,
            offer=offer,
            need=need,
            user=owner,
            message="뵙고 싶습니다.",
            confirm_misfit=True,
        )
    assert smtp.messages == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    [(sender, recipients, message)] = smtp.messages
    assert (sender, recipients, message["Subject"]) == (
        "noreply@salon.local",
        ["bd@globalmed.com"],
        "New meeting request from MediVision",
    )
    lines = message.get_content().splitlines()
    assert lines[:8] == [
        "New meeting request from MediVision",
        "",
        "Salon: Pangyo Salon (2026-12-10)",
        "Technology: Lung nodule AI",
        "Need: Lung AI for CT",
        "",
        "Message:",
        "뵙고 싶습니다.",
    ]

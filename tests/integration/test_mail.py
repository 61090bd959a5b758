"""E-mails leave through a real SMTP server on loopback (aiosmtpd), queued as tasks after the commit."""

import asyncio
import email
import email.policy
import logging
import time

import pytest
from aiosmtpd.controller import Controller
from celery import current_app
from django.test import Client
from django.utils.html import escape

from accounts.models import MailDelivery
from events import meeting_requests
from tests.integration.conftest import wait_until
from tests.services import free_port
from tests.worlds import english

pytestmark = pytest.mark.django_db

# Generous on a busy 2-core machine: a delivery slower than the timeout would be sent again.
EMAIL_TIMEOUT, HANG_SECONDS = 4, 8


class Inbox:
    """An SMTP server's mailbox; ``script`` says how it answers the first deliveries ("refuse": a
    transient 451, "hang": no answer for longer than EMAIL_TIMEOUT), then it accepts."""

    def __init__(self, script=()):
        self.messages, self.script, self.attempts = [], list(script), 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.attempts += 1
        behaviour = self.script.pop(0) if self.script else "accept"
        if behaviour == "refuse":
            return "451 Try again later"
        if behaviour == "hang":
            await asyncio.sleep(HANG_SECONDS)
            return "451 Too late"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, message))
        return "250 OK"


def _smtp_settings(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, EMAIL_TIMEOUT
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Partnering Salon <noreply@salon.local>"


@pytest.fixture
def smtp_server(settings):
    started = []

    def start(script=()):
        inbox, port = Inbox(script), free_port()
        inbox.port = port
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        _smtp_settings(settings, port)
        return inbox

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def smtp(smtp_server):
    return smtp_server()


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


@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_a_mail_server_that_refuses_then_hangs_until_it_accepts(
    smtp_server, broker, worker, salon, startup, offer, need, owner, bd, corporate
):
    inbox = smtp_server(script=["refuse", "hang"])
    # A retry waits in the worker for its countdown, unacknowledged: the visibility timeout must be
    # longer than that wait, or the broker would hand the mail out a second time.
    worker.start(
        env={
            "EMAIL_URL": f"smtp://127.0.0.1:{inbox.port}?tls=0",
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
            "CELERY_VISIBILITY_TIMEOUT": "300",
        }
    )
    request = meeting_requests.meeting_request_create(
        event=salon, requester=startup, offer=offer, need=need, user=owner, confirm_misfit=True
    )
    started = time.monotonic()
    accepted = meeting_requests.meeting_request_accept(meeting_request=request, organization=corporate, user=bd)
    assert (accepted.status, time.monotonic() - started < 2) == ("accepted", True)  # never waits for the mail
    wait_until(lambda: len(inbox.messages) == 2, timeout=90, what="the mails after two failed attempts", worker=worker)
    # The request's mail is refused; while it waits for its retry the accept's mail hangs; both are
    # sent on their second attempt.
    assert inbox.attempts == 4
    deliveries = lambda: sorted(MailDelivery.objects.values_list("kind", "status", "attempts", "last_error"))  # noqa: E731
    wait_until(
        lambda: {row[1] for row in deliveries()} == {"sent"}, timeout=30, what="both recorded sent", worker=worker
    )
    assert deliveries() == [
        ("request.accepted", "sent", 2, "SMTPServerDisconnected: Connection unexpectedly closed: timed out"),
        ("request.new", "sent", 2, "SMTPDataError: (451, b'Try again later')"),
    ]
    # A Korean subject travels as folded encoded words; unfolded, it keeps the fold's space.
    assert sorted((recipients, message["Subject"].strip()) for _sender, recipients, message in inbox.messages) == [
        (["bd@globalmed.com"], "New meeting request from MediVision"),
        (["ceo@medivision.kr"], "글로벌메드에서 미팅 요청을 수락했습니다"),
    ]


def test_an_unreachable_mail_server_never_fails_the_accept(
    settings, salon, startup, offer, need, owner, bd, corporate, django_capture_on_commit_callbacks, caplog
):
    _smtp_settings(settings, free_port())  # nothing listens there
    request = meeting_requests.meeting_request_create(
        event=salon, requester=startup, offer=offer, need=need, user=owner, confirm_misfit=True
    )
    with caplog.at_level(logging.WARNING, logger="core.tasks"), django_capture_on_commit_callbacks(execute=True):
        meeting_requests.meeting_request_accept(meeting_request=request, organization=corporate, user=bd)
    request.refresh_from_db()
    assert request.status == "accepted"  # committed, whatever the mail server does
    [warning] = [r.getMessage() for r in caplog.records if r.name == "core.tasks"]
    assert warning.startswith(
        f"Task events.notifications.mail_request_change({request.pk}, 'accepted') was not run (ConnectionRefusedError:"
    )
    # In-process nothing will run the retry: the delivery says at once that it failed, and why.
    delivery = MailDelivery.objects.get(kind="request.accepted")
    assert (delivery.status, delivery.attempts, delivery.recipients) == ("failed", 1, ["ceo@medivision.kr"])
    assert delivery.last_error.startswith("ConnectionRefusedError: [Errno 111]")


def test_a_mail_refused_after_every_retry_is_failed_shown_to_the_salons_organizers_and_sent_again(
    smtp_server,
    monkeypatch,
    salon,
    startup,
    offer,
    need,
    owner,
    bd,
    organizer,
    other_organizer,
    django_capture_on_commit_callbacks,
):
    inbox = smtp_server(script=["refuse"] * 6)
    # In-process, a retry runs at once (as a worker would after the backoff) instead of failing.
    monkeypatch.setitem(current_app.conf, "task_eager_propagates", False)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_requests.meeting_request_create(
            event=salon, requester=startup, offer=offer, need=need, user=owner, confirm_misfit=True
        )
    [delivery] = MailDelivery.objects.all()
    error = "SMTPDataError: (451, b'Try again later')"
    assert (delivery.kind, delivery.recipients, delivery.salon_id) == ("request.new", ["bd@globalmed.com"], salon.pk)
    assert (delivery.status, delivery.attempts, delivery.last_error, inbox.attempts) == ("failed", 6, error, 6)
    assert inbox.messages == []

    page_url = f"/organize/salons/{salon.slug}/mail/"
    retry_url = f"/organize/salons/{salon.slug}/mail/{delivery.pk}/retry/"
    browser = Client()
    browser.force_login(organizer.user)
    korean = browser.get(page_url).content.decode()
    row = [
        f"<td>{text}</td>"
        for text in ("새 미팅 요청", "bd@globalmed.com", "실패", "6", f"<code>{escape(error)}</code>")
    ]
    assert all(cell in korean for cell in row), korean
    assert "다시 보내기" in korean
    english_page = english(browser).get(page_url).content.decode()
    row = [f"<td>{text}</td>" for text in ("New meeting request", "bd@globalmed.com", "Failed", "6")]
    assert all(cell in english_page for cell in row) and "Send again" in english_page

    stranger = Client()
    stranger.force_login(other_organizer.user)
    assert (stranger.get(page_url).status_code, stranger.post(retry_url).status_code) == (404, 404)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 6)  # the stranger changed nothing

    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(retry_url)
    assert (answer.status_code, answer["Location"]) == (302, page_url)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.sent_at is not None) == ("sent", 7, True)
    [(_sender, recipients, message)] = inbox.messages
    assert (recipients, message["Subject"]) == (["bd@globalmed.com"], "New meeting request from MediVision")
    assert "Every e-mail of this salon went out." in browser.get(page_url).content.decode()

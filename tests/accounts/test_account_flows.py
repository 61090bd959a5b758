"""The account basics through django-allauth (``accounts.adapter``): sign-up with consent and a
confirmed address, password reset and change. Neither sign-up nor reset tells whether an address
has an account, and both are throttled per client. The mails go out through a worker
(``accounts.tasks``) in the recipient's language and keep no copy of their one-time link."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.mail_delivery import mail_delivery_retry
from accounts.models import MailDelivery, User
from tests.factories import UserFactory
from tests.worlds import english

PASSPHRASE = "a-long unusual passphrase"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def signup_data(**values) -> dict:
    return {
        "email": "Founder@MediVision.kr",
        "full_name": "Kim Founder",
        "password1": PASSPHRASE,
        "password2": PASSPHRASE,
        "preferred_language": "en",
        "privacy_consent": "on",
        **values,
    }


def page_text(response, address: str) -> str:
    """A page with what differs by nature between two answers removed: the per-response CSRF token
    and CSP nonce, and the address the visitor typed itself."""
    html = re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', r'\1=""', response.content.decode())
    return html.replace(address, "<address>").replace(address.lower(), "<address>")


def link_in(message) -> str:
    (url,) = re.findall(r"http://testserver(/accounts/\S+/)", message.body)
    return url


def test_the_sign_up_form_asks_for_consent_and_links_the_privacy_notice(client, db):
    html = english(client).get("/accounts/signup/").content.decode()
    for field in ("id_email", "id_full_name", "id_password1", "id_password2", "id_preferred_language"):
        assert f'<label for="{field}">' in html
    assert '<label for="id_privacy_consent"><input type="checkbox" name="privacy_consent"' in html
    assert '<a href="/accounts/privacy/">Read the privacy notice (개인정보 수집·이용 안내)</a>' in html
    notice = client.get("/accounts/privacy/").content.decode()
    assert "<h1>Privacy notice</h1>" in notice
    assert "개인정보 보호법 제15조" in notice


def test_without_consent_there_is_no_account(client, db):
    response = client.post("/accounts/signup/", signup_data(privacy_consent=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "privacy_consent": ["개인정보 수집·이용에 동의해야 계정을 만들 수 있습니다."]
    }
    assert User.objects.count() == 0


def test_sign_up_confirms_the_address_then_leads_to_the_organization_form(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", signup_data())
    assert (response.status_code, response["Location"]) == (302, "/accounts/confirm-email/")
    user = User.objects.get()
    assert (user.email, user.full_name, user.preferred_language) == ("founder@medivision.kr", "Kim Founder", "en")
    assert user.privacy_consent_at is not None and user.check_password(PASSPHRASE)
    assert "_auth_user_id" not in client.session  # not signed in before the address is confirmed
    (message,) = mail.outbox
    assert (message.to, message.subject) == (["founder@medivision.kr"], "Please Confirm Your Email Address")
    assert message.body.startswith("Hello from Partnering Salon.")
    delivery = MailDelivery.objects.get()
    assert (delivery.kind, delivery.status, delivery.recipients, delivery.args) == (
        "account",
        "sent",
        ["founder@medivision.kr"],
        [],  # the one-time link is not kept
    )
    confirm = link_in(message)
    assert client.get(confirm).status_code == 200
    response = client.post(confirm)
    assert (response.status_code, response["Location"]) == (302, "/accounts/organization/new/")
    assert response.cookies["django_language"].value == "en"
    assert EmailAddress.objects.get(user=user).verified is True
    assert client.get("/accounts/organization/new/").status_code == 200  # signed in


def test_sign_up_with_a_taken_address_answers_the_same_and_tells_only_its_owner(db, django_capture_on_commit_callbacks):
    owner = UserFactory(email="taken@example.com", preferred_language="ko")
    answers = []
    for address in ("TAKEN@example.com", "fresh@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post("/accounts/signup/", signup_data(email=address), follow=True)
        answers.append((response.status_code, response.redirect_chain, page_text(response, address)))
    assert answers[0] == answers[1]
    assert answers[0][1] == [("/accounts/confirm-email/", 302)]
    assert User.objects.filter(email="taken@example.com").get() == owner
    assert User.objects.count() == 2
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["taken@example.com"], "계정이 이미 존재합니다"),
        (["fresh@example.com"], "Please Confirm Your Email Address"),
    ]
    assert owner.check_password("correct horse battery")  # untouched


def test_an_unconfirmed_address_cannot_sign_in_and_gets_the_link_again(db, django_capture_on_commit_callbacks):
    UserFactory(email="new@example.com", confirmed=False)
    EmailAddress.objects.create(user=User.objects.get(), email="new@example.com", verified=False, primary=True)
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/accounts/login/", {"login": "new@example.com", "password": "correct horse battery"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/confirm-email/")
    assert "_auth_user_id" not in browser.session
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


def test_password_reset_answers_the_same_for_any_address_and_sets_a_new_password(
    db, django_capture_on_commit_callbacks
):
    UserFactory(email="ceo@medivision.kr", preferred_language="ko")
    answers = []
    for address in ("ceo@medivision.kr", "nobody@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post("/accounts/password/reset/", {"email": address}, follow=True)
        answers.append((response.status_code, response.redirect_chain, page_text(response, address)))
    assert answers[0] == answers[1]
    assert answers[0][1] == [("/accounts/password/reset/done/", 302)]
    reset, unknown = mail.outbox
    assert (reset.to, reset.subject) == (["ceo@medivision.kr"], "비밀번호 초기화 이메일")
    assert unknown.to == ["nobody@example.com"]
    assert "nobody@example.com" in unknown.body

    browser = Client()
    form = browser.get(link_in(reset), follow=True)
    assert form.status_code == 200
    set_password = form.redirect_chain[-1][0]
    done = browser.post(
        set_password, {"password1": "새 비밀번호 correct staple", "password2": "새 비밀번호 correct staple"}
    )
    assert (done.status_code, done["Location"]) == (302, "/accounts/password/reset/key/done/")
    assert User.objects.get().check_password("새 비밀번호 correct staple")
    # The link works once.
    assert "_auth_user_id" not in Client().get(link_in(reset), follow=True).wsgi_request.session


def test_a_signed_in_user_changes_its_password(client, owner):
    client.force_login(owner)
    wrong = client.post(
        "/accounts/password/change/", {"oldpassword": "wrong", "password1": PASSPHRASE, "password2": PASSPHRASE}
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {"oldpassword": ["현재 비밀번호를 입력하세요."]}
    changed = client.post(
        "/accounts/password/change/",
        {"oldpassword": "correct horse battery", "password1": PASSPHRASE, "password2": PASSPHRASE},
    )
    assert (changed.status_code, changed["Location"]) == (302, "/accounts/password/change/")
    owner.refresh_from_db()
    assert owner.check_password(PASSPHRASE)


def test_sign_up_and_password_reset_are_throttled_per_client(db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip", "reset_password": "2/m/ip"}
    browser = Client(REMOTE_ADDR="203.0.113.9")
    answers = [
        browser.post("/accounts/signup/", signup_data(email=f"person{n}@example.com")).status_code for n in range(3)
    ]
    assert answers == [302, 302, 429]
    assert User.objects.count() == 2
    resets = [browser.post("/accounts/password/reset/", {"email": "x@example.com"}).status_code for _ in range(3)]
    assert resets == [302, 302, 429]
    # Another client has its own counters.
    assert Client(REMOTE_ADDR="203.0.113.10").post("/accounts/signup/", signup_data()).status_code == 302


def test_a_failed_account_mail_is_not_sent_again_from_the_admin(db):
    delivery = MailDelivery.objects.create(
        task_id="account-mail", task="accounts.tasks.send_account_mail", args=[], kind="account", status="failed"
    )
    with pytest.raises(ValidationError) as error:
        mail_delivery_retry(delivery=delivery)
    assert error.value.messages == [
        "이 이메일에는 한 번만 쓸 수 있는 링크가 들어 있어 보관하지 않았습니다. 받는 사람이 새 링크를 요청해야 합니다."
    ]
    delivery.refresh_from_db()
    assert delivery.status == "failed"

"""How django-allauth fits the platform: account e-mails go out through a worker in their
recipient's language, rate limits count the real client address (behind the trusted proxy), a
sign-in sets the user's language, and a new user is led to register its organization."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.shortcuts import resolve_url
from django.utils import translation

from accounts.models import Language, MailKind, User
from accounts.tasks import send_account_mail
from core.client_address import client_address
from core.tasks import MAIL_HANDOVER_ERRORS, enqueue_on_commit


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        return client_address(request)

    def format_email_subject(self, subject: str) -> str:
        return subject  # no "[site]" prefix: the sender's name says it

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the message in the language of the account it is about (the page's language for an
        address with no account) and hand it to a worker once the transaction commits."""
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = getattr(user, "preferred_language", None) or translation.get_language() or Language.KOREAN
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {"email": email, "current_site": get_current_site(allauth_context.request), **context},
            )
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), None)
        enqueue_on_commit(
            send_account_mail,
            MailKind.ACCOUNT,
            message.subject,
            message.body,
            html,
            list(message.to),
            errors=MAIL_HANDOVER_ERRORS,
        )

    def get_login_redirect_url(self, request) -> str:
        if not request.user.memberships.exists():
            return resolve_url("accounts:organization-new")  # a newcomer registers its organization first
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request) -> str:
        return self.get_login_redirect_url(request)

    def post_login(self, request, user, **kwargs):
        """A new account's first sign-in (after it confirmed its address) switches the pages to the
        language it chose; later sign-ins keep the visitor's own choice."""
        response = super().post_login(request, user, **kwargs)
        if kwargs.get("signup") and user.preferred_language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        return response

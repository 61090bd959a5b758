import secrets
from urllib.parse import urlsplit

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.validators import (
    normalize_business_registration_number,
    validate_business_registration_number,
    validate_country_code,
)
from core.validators import validate_single_line, validate_text


def new_calendar_key() -> str:
    return secrets.token_urlsafe(16)


class Language(models.TextChoices):
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True, validators=[validate_single_line])
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.KOREAN
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The secret part of the user's calendar-feed URL (accounts.tokens.feed_token): random, never
    # derived from the password; rotating it makes every earlier feed URL stop working.
    privacy_consent_at = models.DateTimeField(
        _("consented to the privacy notice at"), null=True, blank=True, editable=False
    )
    calendar_key = models.CharField(_("calendar feed key"), max_length=32, default=new_calendar_key, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_language__in=Language.values), name="user_preferred_language_valid"
            ),
            # Login is case-insensitive: store e-mails lower-cased (UserManager does).
            models.CheckConstraint(condition=Q(email=models.functions.Lower("email")), name="user_email_lowercase"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class OrganizationKind(models.TextChoices):
    STARTUP = "startup", _("Startup")
    CORPORATE = "corporate", _("Corporate BD team")
    ORGANIZER = "organizer", _("Organizer")


class Cluster(models.TextChoices):
    DAEGU_KMEDI = "daegu_kmedi", _("Daegu-Gyeongbuk Medical Innovation Cluster")
    OSONG = "osong", _("Osong")
    WONJU = "wonju", _("Wonju")
    SEOUL_BIOHUB = "seoul_biohub", _("Seoul Bio Hub")
    SONGDO = "songdo", _("Songdo")
    DAEJEON = "daejeon", _("Daejeon")
    PANGYO = "pangyo", _("Pangyo")
    SEOUL = "seoul", _("Seoul")
    BUSAN = "busan", _("Busan")
    OTHER = "other", _("Other region")


class Organization(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices)
    name_ko = models.CharField(_("name (Korean)"), max_length=200, validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(_("country"), max_length=2, default="KR", validators=[validate_country_code])
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(
        _("description"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000), validate_text]
    )
    business_registration_number = models.CharField(
        _("business registration number"),
        max_length=10,
        blank=True,
        validators=[validate_business_registration_number],
        help_text=_("10 digits, e.g. 123-45-67890. Required for Korean startups."),
    )
    cluster = models.CharField(_("cluster / region"), max_length=16, choices=Cluster.choices, blank=True)
    # Contact details are private: shown to other organizations only for an accepted meeting.
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True, validators=[validate_single_line])
    # The organizer organization whose spreadsheet import created this one (matching.imports): only
    # its imports may change it, and only while nobody has claimed it.
    imported_by = models.ForeignKey(
        "self",
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Platform staff verify a new organization (its website's domain against its members' e-mail
    # domains, a startup's 사업자등록번호) before its private-facing features open: until then it
    # downloads no teaser and sees no other organization's contact details (matching.disclosure).
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        "User",
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OrganizationKind.values), name="organization_kind_valid"),
            models.CheckConstraint(
                condition=Q(cluster="") | Q(cluster__in=Cluster.values), name="organization_cluster_valid"
            ),
            models.CheckConstraint(
                condition=Q(business_registration_number="") | Q(business_registration_number__regex=r"^[0-9]{10}$"),
                name="organization_brn_ten_digits",
            ),
            models.UniqueConstraint(
                fields=["business_registration_number"],
                condition=~Q(business_registration_number=""),
                name="organization_brn_unique",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganizationKind.STARTUP, country="KR", business_registration_number=""),
                name="organization_kr_startup_has_brn",
                violation_error_message=_("Korean startups must give their business registration number."),
            ),
        ]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def domain_check(self) -> tuple[str, list[str], bool]:
        """What staff compare before verifying: the website's domain, the members' e-mail domains,
        and whether every member writes from the website's domain (or a subdomain of it)."""
        host = (urlsplit(self.website).hostname or "") if self.website else ""
        site = host.removeprefix("www.").lower()
        emails = self.memberships.values_list("user__email", flat=True)
        domains = sorted({email.rsplit("@", 1)[-1].lower() for email in emails})
        match = bool(site and domains) and all(d == site or d.endswith("." + site) for d in domains)
        return site, domains, match

    @property
    def name(self) -> str:
        """The name in the active language, falling back to the other one."""
        if translation.get_language() == "en":
            return self.name_en or self.name_ko
        return self.name_ko or self.name_en

    def clean(self):
        super().clean()
        self.business_registration_number = normalize_business_registration_number(self.business_registration_number)
        self.country = (self.country or "").upper()


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=8, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_organization"),
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role})"


class AuditAction(models.TextChoices):
    """Sensitive actions that leave a trace: who did what, when, for which organization."""

    REGISTRATION_REVIEWED = "registration.reviewed", _("Registration approved or rejected")
    SALON_STEP = "salon.step", _("Salon lifecycle step")
    PROPOSALS_RUN = "proposals.run", _("Meeting proposals computed")
    SCHEDULE_RUN = "schedule.run", _("Salon scheduled")
    MEETING_MOVED = "meeting.moved", _("Meeting moved")
    MEETING_LOCKED = "meeting.locked", _("Meeting locked or unlocked")
    MEETING_ARRANGED = "meeting.arranged", _("Meeting arranged by the organizer")
    MEETING_CANCELLED = "meeting.cancelled", _("Meeting cancelled")
    IDENTITY_DISCLOSED = "disclosure.identity", _("Confidential BD team disclosed to a startup")
    CONTACTS_DISCLOSED = "disclosure.contacts", _("Contact details disclosed (accepted meeting)")
    DOCUMENT_DOWNLOADED = "disclosure.document", _("Startup document downloaded by another organization")
    EXPORTED = "export", _("Export downloaded")
    IMPORTED = "import", _("Spreadsheet imported")
    OFFER_REVIEWED = "offer.reviewed", _("Technology offer approved or returned")
    ORGANIZATION_VERIFIED = "organization.verified", _("Organization verified by platform staff")


class AuditEvent(models.Model):
    """One sensitive action (``accounts.audit.record``). Rows are only ever added: the admin shows
    them read-only and nothing in the code updates or deletes them. The actor's e-mail is kept as
    text so the trail survives the deletion of the account."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    actor_email = models.CharField(_("actor's e-mail"), max_length=254, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("on behalf of"),
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    target_type = models.CharField(_("object type"), max_length=60, blank=True)
    target_id = models.CharField(_("object id"), max_length=40, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="audit_action_valid")]
        indexes = [models.Index(fields=["organization", "-created_at"]), models.Index(fields=["action"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or '—'} {self.action} {self.target_label}"


class MailKind(models.TextChoices):
    """What an e-mail task sends (``accounts.mail_delivery``)."""

    REQUEST_NEW = "request.new", _("New meeting request")
    REQUEST_ACCEPTED = "request.accepted", _("Meeting request accepted")
    REQUEST_DECLINED = "request.declined", _("Meeting request declined")
    REQUEST_EXPIRING = "request.expiring", _("Meeting request expiring")
    REQUEST_EXPIRED = "request.expired", _("Meeting request expired")
    REQUEST_CANCELLED = "request.cancelled", _("Meeting cancelled")
    REQUEST_ARRANGED = "request.arranged", _("Meeting arranged by the organizer")
    AGENDA_PUBLISHED = "agenda.published", _("Published agenda")
    ACCOUNT = "account", _("Account e-mail (address confirmation, password reset)")
    OFFER_REVIEWED = "offer.reviewed", _("Technology offer approved or returned")


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class MailDelivery(models.Model):
    """One run of an e-mail task and what became of it: kept up to date by the task itself
    (``accounts.mail_delivery.MailDeliveryTask``), so a mail server that refuses is seen — by the
    salon's organizers and by platform staff — instead of only logged. ``salon_id`` is the salon the
    mail is about (an ``events.Event`` id: accounts cannot point at events; events resolves it)."""

    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    task = models.CharField(_("task"), max_length=120)
    args = models.JSONField(_("task arguments"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=MailKind.choices, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    salon_id = models.PositiveIntegerField(_("salon"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mail delivery")
        verbose_name_plural = _("mail deliveries")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MailStatus.values), name="mail_delivery_status_valid")
        ]
        indexes = [models.Index(fields=["salon_id", "status"], name="mail_delivery_salon_status")]

    def __str__(self):
        return f"{self.get_kind_display() or self.task} → {', '.join(self.recipients)} ({self.status})"


class ApiToken(models.Model):
    """A personal API token (``Authorization: Token …``). Only a SHA-256 digest of the key is
    stored, with its first characters to tell tokens apart; a token expires, and its user (or staff)
    revokes it. See ``accounts.tokens``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line])
    prefix = models.CharField(_("beginning of the key"), max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @property
    def state(self) -> str:
        """revoked, expired or active, for the pages (translated there)."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_active() else "expired"

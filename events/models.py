import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, Organization, OrganizationKind, User
from core.validators import validate_single_line, validate_text
from matching.enums import ChoiceListValidator, DeclineReason
from matching.models import DeviceArea, PartneringNeed, TechnologyOffer


class City(models.TextChoices):
    PANGYO = "pangyo", _("Pangyo")
    OSONG = "osong", _("Osong")
    DAEGU = "daegu", _("Daegu")
    DAEJEON = "daejeon", _("Daejeon")
    SONGDO = "songdo", _("Songdo")
    SEOUL = "seoul", _("Seoul")
    WONJU = "wonju", _("Wonju")
    BUSAN = "busan", _("Busan")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Registration open")
    MATCHING = "matching", _("Matching")
    SCHEDULING = "scheduling", _("Scheduling")
    PUBLISHED = "published", _("Agenda published")
    CLOSED = "closed", _("Closed")

    @classmethod
    def having(cls, capability: str) -> tuple[str, ...]:
        """The states in which a salon has ``capability`` (a column of ``LIFECYCLE``), for queries."""
        return tuple(status for status, row in LIFECYCLE.items() if getattr(row, capability))

    @classmethod
    def accepting_requests(cls) -> tuple[str, ...]:
        return cls.having("accepts_requests")


@dataclass(frozen=True)
class Capabilities:
    """What a salon allows in one state of its lifecycle."""

    public: bool  # listed and shown to everyone
    takes_applications: bool  # startups and BD teams may apply (within the registration window)
    accepts_requests: bool  # participants request, accept and decline meetings
    proposable: bool  # the organizer computes meeting proposals
    arrangeable: bool  # the organizer arranges meetings both sides agreed to
    registrations_editable: bool  # the organizer approves or rejects applications
    schedulable: bool  # the organizer (re)schedules meetings into slots and tables
    agenda_visible: bool  # participants see their agenda
    reportable: bool  # participants record the outcomes of their meetings


# A salon's lifecycle, the one table: every "is this possible now?" reads a column of it, through
# ``event.accepts_requests`` and its siblings, or ``EventStatus.having("accepts_requests")`` in queries.
_C = Capabilities
LIFECYCLE: dict[str, Capabilities] = {
    #                           public takes_ap requests propose arrange regs   schedule agenda report
    EventStatus.DRAFT: _C(False, False, False, False, False, True, False, False, False),
    EventStatus.OPEN: _C(True, True, True, True, True, True, False, False, False),
    EventStatus.MATCHING: _C(True, False, True, True, True, True, True, False, False),
    EventStatus.SCHEDULING: _C(True, False, False, False, True, True, True, False, False),
    EventStatus.PUBLISHED: _C(True, False, False, False, False, False, True, True, True),
    EventStatus.CLOSED: _C(True, False, False, False, False, False, False, True, True),
}
del _C

# The organizer's steps along the lifecycle: action → (from, to).
STEPS = {
    "open": (EventStatus.DRAFT, EventStatus.OPEN),
    "start_matching": (EventStatus.OPEN, EventStatus.MATCHING),
    "close_requests": (EventStatus.MATCHING, EventStatus.SCHEDULING),
    "publish": (EventStatus.SCHEDULING, EventStatus.PUBLISHED),
    "close": (EventStatus.PUBLISHED, EventStatus.CLOSED),
}


class Event(models.Model):
    """A partnering salon: a short program, then 1:1 meetings at tables."""

    organizer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="organized_events",
        verbose_name=_("organizer"),
        limit_choices_to={"kind": OrganizationKind.ORGANIZER},
    )
    title_ko = models.CharField(_("title (Korean)"), max_length=200, validators=[validate_single_line])
    title_en = models.CharField(_("title (English)"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    city = models.CharField(_("city"), max_length=16, choices=City.choices)
    venue = models.CharField(_("venue"), max_length=200, validators=[validate_single_line])
    date = models.DateField(_("date"))
    timezone = models.CharField(_("time zone"), max_length=40, default="Asia/Seoul")
    theme_areas = models.ManyToManyField(DeviceArea, related_name="events", verbose_name=_("theme areas"), blank=True)
    description = models.TextField(
        _("description"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000), validate_text]
    )
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    slot_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"), default=20)
    changeover_minutes = models.PositiveSmallIntegerField(
        _("changeover between meetings (minutes)"), default=5, help_text=_("Time to change tables between meetings.")
    )
    meeting_quota = models.PositiveSmallIntegerField(
        _("meetings per organization"), default=6, help_text=_("Upper bound of meetings for each organization.")
    )
    status = models.CharField(_("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("salon")
        verbose_name_plural = _("salons")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window_ordered",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="event_slot_minutes_range",
                violation_error_message=_("Meetings last between 5 and 240 minutes."),
            ),
            models.CheckConstraint(condition=Q(meeting_quota__gte=1), name="event_meeting_quota_positive"),
            models.CheckConstraint(condition=Q(changeover_minutes__lte=60), name="event_changeover_range"),
            models.CheckConstraint(condition=Q(status__in=EventStatus.values), name="event_status_valid"),
            models.CheckConstraint(condition=Q(city__in=City.values), name="event_city_valid"),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if translation.get_language() == "en" else self.title_ko

    # What the salon allows now: columns of ``LIFECYCLE``.
    @property
    def is_public(self) -> bool:
        return LIFECYCLE[self.status].public

    @property
    def takes_applications(self) -> bool:
        return LIFECYCLE[self.status].takes_applications

    def registration_phase(self, now=None) -> str:
        """Where applying stands now: "upcoming" (the window opens later), "open" or "closed" (the
        window passed, or the salon's stage takes no more applications)."""
        now = now or timezone.now()
        if not self.takes_applications or now >= self.registration_closes_at:
            return "closed"
        return "upcoming" if now < self.registration_opens_at else "open"

    @property
    def registration_is_open(self) -> bool:
        return self.registration_phase() == "open"

    @property
    def registration_not_yet_open(self) -> bool:
        return self.registration_phase() == "upcoming"

    @property
    def accepts_requests(self) -> bool:
        return LIFECYCLE[self.status].accepts_requests

    @property
    def cancellable(self) -> bool:
        """Requests and meetings can still be withdrawn: while requests are taken or the schedule
        can still change (not once the salon is closed)."""
        return self.accepts_requests or self.schedulable

    @property
    def proposable(self) -> bool:
        return LIFECYCLE[self.status].proposable

    @property
    def arrangeable(self) -> bool:
        return LIFECYCLE[self.status].arrangeable

    @property
    def registrations_editable(self) -> bool:
        return LIFECYCLE[self.status].registrations_editable

    @property
    def schedulable(self) -> bool:
        return LIFECYCLE[self.status].schedulable

    @property
    def agenda_visible(self) -> bool:
        return LIFECYCLE[self.status].agenda_visible

    @property
    def reportable(self) -> bool:
        return LIFECYCLE[self.status].reportable

    @property
    def next_steps(self) -> list[str]:
        return [action for action, (source, _target) in STEPS.items() if source == self.status]


class ProgramItemKind(models.TextChoices):
    OPENING = "opening", _("Opening")
    SUCCESS_CASE = "success_case", _("Success-case talk")
    BD_EXPERT_TALK = "bd_expert_talk", _("BD expert talk")
    ROUNDTABLE = "roundtable", _("Subfield roundtables")
    PARTNERING = "partnering", _("1:1 partnering meetings")
    NETWORKING = "networking", _("Networking")
    BREAK = "break", _("Break")


class ProgramItem(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="program", verbose_name=_("salon"))
    kind = models.CharField(_("kind"), max_length=16, choices=ProgramItemKind.choices)
    title_ko = models.CharField(_("title (Korean)"), max_length=200, validators=[validate_single_line])
    title_en = models.CharField(_("title (English)"), max_length=200, validators=[validate_single_line])
    speaker = models.CharField(_("speaker"), max_length=200, blank=True, validators=[validate_single_line])
    success_case = models.ForeignKey(
        "Outcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="featured_in",
        verbose_name=_("success case"),
        help_text=_("A meeting outcome from an earlier salon presented in this item."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("program item")
        verbose_name_plural = _("program items")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="program_item_ends_after_start",
                violation_error_message=_("A program item must end after it starts."),
            ),
            models.CheckConstraint(condition=Q(kind__in=ProgramItemKind.values), name="program_item_kind_valid"),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if translation.get_language() == "en" else self.title_ko


class Slot(models.Model):
    """One meeting round of a salon; every table hosts at most one meeting per slot."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots", verbose_name=_("salon"))
    index = models.PositiveSmallIntegerField(_("number"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["event", "index"]
        constraints = [
            models.UniqueConstraint(fields=["event", "index"], name="slot_unique_index"),
            models.UniqueConstraint(fields=["event", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"),
        ]

    def __str__(self):
        return f"#{self.index} {self.starts_at:%H:%M}"


class Table(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tables", verbose_name=_("salon"))
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(
        _("label"),
        max_length=60,
        blank=True,
        help_text=_("A room name, if not a numbered table."),
        validators=[validate_single_line],
    )

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="table_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="table_number_positive"),
        ]

    def __str__(self):
        return self.label or _("Table %(number)s") % {"number": self.number}


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("salon"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("organization")
    )
    representatives = models.ManyToManyField(
        User, related_name="event_registrations", verbose_name=_("representatives"), blank=True
    )
    max_meetings = models.PositiveSmallIntegerField(_("maximum meetings"), default=6)
    unavailable_slots = models.ManyToManyField(
        Slot, related_name="unavailable_registrations", verbose_name=_("unavailable slots"), blank=True
    )
    fixed_table = models.ForeignKey(
        Table,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fixed_registrations",
        verbose_name=_("fixed table"),
    )
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        validators=[ChoiceListValidator(Language)],
        help_text=_("For interpreter planning."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "organization__name_en"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], name="registration_unique_per_event"),
            models.UniqueConstraint(
                fields=["event", "fixed_table"],
                condition=Q(fixed_table__isnull=False),
                name="registration_fixed_table_unique",
                violation_error_message=_("Another organization already keeps this table."),
            ),
            models.CheckConstraint(condition=Q(max_meetings__gte=1), name="registration_max_meetings_positive"),
            models.CheckConstraint(condition=Q(status__in=RegistrationStatus.values), name="registration_status_valid"),
        ]

    def __str__(self):
        return f"{self.organization} @ {self.event}"

    def clean(self):
        super().clean()
        if self.fixed_table_id and self.event_id and self.fixed_table.event_id != self.event_id:
            raise ValidationError({"fixed_table": _("The table belongs to another salon.")})


class RequestOrigin(models.TextChoices):
    PROPOSAL = "proposal", _("Proposed by the platform")
    STARTUP = "startup", _("Requested by the startup")
    CORPORATE = "corporate", _("Requested by the BD team")
    ORGANIZER = "organizer", _("Arranged by the organizer")


class RequestStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def live(cls) -> tuple[str, ...]:
        """States that hold a place: one live request per startup and BD team per salon."""
        return (cls.PROPOSED, cls.PENDING, cls.ACCEPTED)


class MeetingRequest(models.Model):
    """A proposed or requested 1:1 meeting at a salon between a startup, about one of its offers,
    and a BD team, optionally about one of its needs.

    A platform proposal (``proposed``) has no requester yet: the side that takes it up becomes the
    requester and the request waits (``pending``) for the other side, which accepts or declines
    with a reason. See ``events.meeting_requests`` for the transitions and quotas."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_requests", verbose_name=_("salon"))
    offer = models.ForeignKey(
        TechnologyOffer, on_delete=models.CASCADE, related_name="meeting_requests", verbose_name=_("offer")
    )
    need = models.ForeignKey(
        PartneringNeed,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_requests",
        verbose_name=_("need"),
    )
    startup = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="startup_meeting_requests", verbose_name=_("startup")
    )
    corporate = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="corporate_meeting_requests", verbose_name=_("BD team")
    )
    requester = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sent_meeting_requests",
        verbose_name=_("requesting organization"),
    )
    recipient = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="received_meeting_requests",
        verbose_name=_("receiving organization"),
    )
    origin = models.CharField(_("origin"), max_length=10, choices=RequestOrigin.choices)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices)
    # About a confidential need whose owner the startup did not know: a startup's request or a
    # platform proposal. It stands on its own beside the pair's other requests (one live per need,
    # not per pair), so that nothing of those decides its answers (events.meeting_requests).
    anonymous = models.BooleanField(
        _("about a confidential need"),
        default=False,
        editable=False,
        help_text=_("The startup did not know which BD team owns the need when the request was made."),
    )
    score = models.FloatField(_("match score"), null=True, blank=True)
    message = models.TextField(
        _("message"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000), validate_text]
    )
    decline_reason = models.CharField(_("decline reason"), max_length=20, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(
        _("note"), blank=True, max_length=1000, validators=[MaxLengthValidator(1000), validate_text]
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    expiry_warned_at = models.DateTimeField(_("expiry warning sent at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    responded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "matching_meetingrequest"  # the table predates the move from matching (migration 0004)
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "startup", "corporate"],
                condition=Q(status__in=RequestStatus.live(), anonymous=False),
                name="meeting_request_one_live_per_pair",
                violation_error_message=_("These two organizations already have a request for this salon."),
            ),
            models.UniqueConstraint(
                fields=["event", "startup", "need"],
                condition=Q(status__in=RequestStatus.live(), anonymous=True),
                name="meeting_request_one_live_anonymous_per_need",
                violation_error_message=_("You already have a request with this BD team at this salon."),
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(need__isnull=False), name="meeting_request_anonymous_names_a_need"
            ),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="meeting_request_status_valid"),
            models.CheckConstraint(condition=Q(origin__in=RequestOrigin.values), name="meeting_request_origin_valid"),
            models.CheckConstraint(condition=~Q(startup=F("corporate")), name="meeting_request_two_organizations"),
            models.CheckConstraint(
                condition=Q(requester__isnull=True, recipient__isnull=True)
                | Q(requester=F("startup"), recipient=F("corporate"))
                | Q(requester=F("corporate"), recipient=F("startup")),
                name="meeting_request_sides_consistent",
            ),
            models.CheckConstraint(
                condition=Q(requester__isnull=False)
                | Q(status=RequestStatus.PROPOSED)
                | Q(origin=RequestOrigin.ORGANIZER)
                | Q(status=RequestStatus.DECLINED)
                | Q(status=RequestStatus.EXPIRED)
                | Q(status=RequestStatus.CANCELLED),
                name="meeting_request_pending_has_requester",
            ),
            models.CheckConstraint(
                condition=Q(status=RequestStatus.DECLINED, decline_reason__in=DeclineReason.values)
                | (~Q(status=RequestStatus.DECLINED) & Q(decline_reason="")),
                name="meeting_request_decline_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"], name="meeting_request_event_status"),
            models.Index(fields=["startup", "status"], name="meeting_request_startup"),
            models.Index(fields=["corporate", "status"], name="meeting_request_corporate"),
        ]

    def __str__(self):
        return f"{self.startup} ↔ {self.corporate} ({self.get_status_display()})"

    def other_side(self, organization_id: int) -> int:
        return self.corporate_id if organization_id == self.startup_id else self.startup_id


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    UNPLACED = "unplaced", _("Not placed")
    CANCELLED = "cancelled", _("Cancelled")


class UnplacedReason(models.TextChoices):
    """Why an accepted meeting found no (slot, table); codes from ``events.scheduling``."""

    UNAVAILABLE = "unavailable", _("The two sides share no available slot")
    FIXED_TABLES = "fixed_tables", _("Both sides keep a different fixed table")
    NO_CAPACITY = "no_capacity", _("No free slot and table left (higher-scored meetings came first)")


class Meeting(models.Model):
    """An accepted meeting request placed at a salon: (slot, table), or unplaced with the reason.

    The database itself refuses double-booking: at most one scheduled meeting per (salon, slot,
    table), per (salon, slot, startup) and per (salon, slot, BD team), whoever writes. ``uid`` stays
    the same for the meeting's life and ``sequence`` grows with every change of what its calendar
    entry shows (``events.agenda.calendar_sync``), so calendar clients replace (or, once cancelled,
    remove) the entry they have."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("salon"))
    request = models.OneToOneField(
        MeetingRequest, on_delete=models.CASCADE, related_name="meeting", verbose_name=_("meeting request")
    )
    startup = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="startup_meetings", verbose_name=_("startup")
    )
    corporate = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="corporate_meetings", verbose_name=_("BD team")
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("slot")
    )
    table = models.ForeignKey(
        Table, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("table")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    unplaced_reason = models.CharField(_("reason"), max_length=16, choices=UnplacedReason.choices, blank=True)
    locked = models.BooleanField(_("locked"), default=False, help_text=_("A locked meeting never moves."))
    score = models.FloatField(_("match score"), null=True, blank=True)
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    # What the calendar entry showed when it was last built (events.agenda.calendar_fingerprint).
    calendar_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["event", "slot__index", "table__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slot", "table"],
                condition=Q(status="scheduled"),
                name="meeting_one_per_table_and_slot",
                violation_error_message=_("This table is already taken in this slot."),
            ),
            models.UniqueConstraint(
                fields=["event", "slot", "startup"],
                condition=Q(status="scheduled"),
                name="meeting_startup_once_per_slot",
                violation_error_message=_("The startup already has a meeting in this slot."),
            ),
            models.UniqueConstraint(
                fields=["event", "slot", "corporate"],
                condition=Q(status="scheduled"),
                name="meeting_corporate_once_per_slot",
                violation_error_message=_("The BD team already has a meeting in this slot."),
            ),
            # A cancelled meeting keeps its last place: its calendar entry is cancelled there.
            models.CheckConstraint(
                condition=Q(status="scheduled", slot__isnull=False, table__isnull=False)
                | Q(status="unplaced", slot__isnull=True, table__isnull=True)
                | Q(status="cancelled"),
                name="meeting_placed_when_scheduled",
            ),
            models.CheckConstraint(
                condition=Q(status="unplaced", unplaced_reason__in=UnplacedReason.values)
                | (~Q(status="unplaced") & Q(unplaced_reason="")),
                name="meeting_unplaced_has_reason",
            ),
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            models.CheckConstraint(condition=~Q(startup=F("corporate")), name="meeting_two_organizations"),
        ]
        indexes = [
            models.Index(fields=["event", "status"], name="meeting_event_status"),
            models.Index(fields=["startup", "status"], name="meeting_startup_status"),
            models.Index(fields=["corporate", "status"], name="meeting_corporate_status"),
        ]

    def __str__(self):
        return f"{self.startup} ↔ {self.corporate} ({self.slot or self.get_status_display()})"

    @property
    def calendar_uid(self) -> str:
        return f"{self.uid}@partnering-salon"

    def participants(self) -> tuple[int, int]:
        return self.startup_id, self.corporate_id


class NextStep(models.TextChoices):
    """The follow-up funnel, in order: NDA/CDA → evaluation/PoC → term sheet → deal."""

    NONE = "none", _("No next step")
    FOLLOW_UP_CALL = "follow_up_call", _("Follow-up call")
    NDA_CDA = "nda_cda", _("NDA/CDA signed")
    EVALUATION = "evaluation", _("Evaluation / PoC")
    TERM_SHEET = "term_sheet", _("Term sheet")
    DEAL = "deal", _("Deal signed")

    @classmethod
    def rank(cls, value: str) -> int:
        return cls.values.index(value)


class Outcome(models.Model):
    """What one side reports after a meeting: did it take place, and the next step agreed. Each side
    reports for itself; the funnel takes the furthest step either side reported."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("meeting"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="meeting_outcomes", verbose_name=_("reported by")
    )
    took_place = models.BooleanField(_("the meeting took place"))
    next_step = models.CharField(_("next step"), max_length=16, choices=NextStep.choices, default=NextStep.NONE)
    note = models.TextField(
        _("note"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000), validate_text]
    )
    featured = models.BooleanField(
        _("success case"), default=False, help_text=_("May be presented as a success case at a later salon.")
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organization"], name="outcome_one_per_side"),
            models.CheckConstraint(condition=Q(next_step__in=NextStep.values), name="outcome_next_step_valid"),
            models.CheckConstraint(
                condition=Q(took_place=True) | Q(next_step="none"), name="outcome_no_show_has_no_next_step"
            ),
        ]

    def __str__(self):
        return f"{self.meeting}: {self.get_next_step_display()}"


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """An organizer's spreadsheet import run in the background (``events.import_jobs``): the uploaded
    file (kept only until the run ends), its progress and the result shown to the organizer's members,
    written in the language of the one who uploaded it."""

    organizer = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("organizer")
    )
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("uploaded by")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # The uploaded bytes, at most IMPORT_MAX_BYTES (events.import_jobs); emptied when the run ends.
    data = models.BinaryField(_("uploaded file"), blank=True, editable=False)
    dry_run = models.BooleanField(_("validate only"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.KOREAN)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    # The result as plain data: {"ok", "dry_run", "notes", "errors", "rows", "counts"} (import_jobs).
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportJobStatus.values), name="import_job_status_valid"),
            models.CheckConstraint(condition=Q(rows_done__lte=F("rows_total")), name="import_job_rows_done_le_total"),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)

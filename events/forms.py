"""Forms of the salon pages: the organizer's (``events.organize``: a salon and its program,
tables, moving a meeting) and the participants' (applying to a salon, reporting a meeting's
outcome, asking for and declining a meeting). Validation errors are attached to the field they concern."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, Organization
from events.models import Event, NextStep, ProgramItem, Slot, Table
from matching.enums import DeclineReason

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _datetime_field(field: forms.Field) -> None:
    field.input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class EventForm(forms.ModelForm):
    """A salon's settings. ``organizers``: the organizations the user may create salons for; a choice
    is shown only when creating and when there is more than one."""

    organizer = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("organizer"))

    class Meta:
        model = Event
        fields = [
            "organizer",
            "title_ko",
            "title_en",
            "slug",
            "city",
            "venue",
            "date",
            "theme_areas",
            "description",
            "registration_opens_at",
            "registration_closes_at",
            "slot_minutes",
            "changeover_minutes",
            "meeting_quota",
        ]
        widgets = {
            "date": DateInput(),
            "registration_opens_at": DateTimeInput(),
            "registration_closes_at": DateTimeInput(),
            "theme_areas": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organizers=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("registration_opens_at", "registration_closes_at"):
            _datetime_field(self.fields[name])
        if self.instance.pk is not None or organizers is None:
            del self.fields["organizer"]
        else:
            self.fields["organizer"].queryset = organizers
            if len(organizers) == 1:
                self.fields["organizer"].initial = organizers[0].pk
                self.fields["organizer"].widget = forms.HiddenInput()
        self.fields["slot_minutes"].min_value = 5
        self.fields["slot_minutes"].widget.attrs.update(min=5, max=240)
        self.fields["changeover_minutes"].widget.attrs.update(min=0, max=60)
        self.fields["meeting_quota"].widget.attrs.update(min=1)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug == "new":
            raise forms.ValidationError(_("This address is reserved; choose another."))
        return slug

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("registration_opens_at"), cleaned.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        minutes = cleaned.get("slot_minutes")
        if minutes is not None and not 5 <= minutes <= 240:
            self.add_error("slot_minutes", _("Meetings last between 5 and 240 minutes."))
        changeover = cleaned.get("changeover_minutes")
        if changeover is not None and changeover > 60:
            self.add_error("changeover_minutes", _("At most 60 minutes."))
        quota = cleaned.get("meeting_quota")
        if quota is not None and quota < 1:
            self.add_error("meeting_quota", _("At least one meeting."))
        return cleaned


class ProgramItemForm(forms.ModelForm):
    class Meta:
        model = ProgramItem
        fields = ["kind", "title_ko", "title_en", "speaker", "starts_at", "ends_at"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            _datetime_field(self.fields[name])

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A program item must end after it starts."))
        return cleaned


ProgramFormSet = inlineformset_factory(
    Event, ProgramItem, form=ProgramItemForm, extra=1, can_delete=True, max_num=60, validate_max=True
)


class TablesForm(forms.Form):
    count = forms.IntegerField(label=_("Number of tables"), min_value=1, max_value=500)
    labels = forms.CharField(
        label=_("Room names (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line, for the first tables; leave empty for numbered tables."),
    )

    def clean_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["labels"].splitlines() if line.strip()]


class MoveForm(forms.Form):
    """Where to move a meeting: a slot and a table of the meeting's salon."""

    slot = forms.ModelChoiceField(queryset=Slot.objects.none(), label=_("Slot"))
    table = forms.ModelChoiceField(queryset=Table.objects.none(), label=_("Table"))

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = Slot.objects.filter(event=event)
        self.fields["table"].queryset = Table.objects.filter(event=event)


class ApplicationForm(forms.Form):
    """A startup's or BD team's application to a salon (``salon_service.registration_create``)."""

    organization = forms.ChoiceField(label=_("Organization"))
    max_meetings = forms.IntegerField(
        label=_("maximum meetings"), min_value=1, max_value=50, initial=6, help_text=_("Between 1 and 50 meetings.")
    )
    unavailable_slots = forms.MultipleChoiceField(
        label=_("unavailable slots"), required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("languages spoken"),
        required=False,
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For interpreter planning."),
    )

    def __init__(self, *args, organizations, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(o.pk), o.name) for o in organizations]
        self.fields["unavailable_slots"].choices = [
            (str(slot.pk), f"{timezone.localtime(slot.starts_at):%H:%M}–{timezone.localtime(slot.ends_at):%H:%M}")
            for slot in slots
        ]


class OutcomeForm(forms.Form):
    took_place = forms.TypedChoiceField(
        label=_("the meeting took place"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    next_step = forms.ChoiceField(label=_("next step"), choices=NextStep.choices, initial=NextStep.NONE)
    note = forms.CharField(label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(choices=DeclineReason.choices, label=_("decline reason"))
    note = forms.CharField(required=False, max_length=1000, label=_("note"), widget=forms.TextInput)


class MeetingRequestForm(forms.Form):
    event = forms.ModelChoiceField(queryset=None, label=_("salon"), empty_label=None, widget=forms.RadioSelect)
    message = forms.CharField(
        required=False, max_length=2000, label=_("message"), widget=forms.Textarea(attrs={"rows": 4})
    )
    confirm_misfit = forms.BooleanField(required=False, label=_("Send anyway"))

    def __init__(self, *args, events, show_confirm: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["event"].label_from_instance = lambda event: f"{event.title} ({event.date:%Y-%m-%d})"
        if not show_confirm:
            del self.fields["confirm_misfit"]

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from events.models import Event, Registration
from tests.factories import SEOUL, EventFactory, RegistrationFactory, SlotFactory, TableFactory


@pytest.mark.django_db
def test_the_database_refuses_a_registration_window_that_closes_before_it_opens():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(
            registration_opens_at=dt.datetime(2026, 12, 1, tzinfo=SEOUL),
            registration_closes_at=dt.datetime(2026, 11, 1, tzinfo=SEOUL),
        )
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_the_database_refuses_two_slots_with_the_same_number_or_a_slot_ending_before_it_starts():
    slot = SlotFactory(index=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotFactory(event=slot.event, index=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotFactory(event=slot.event, index=2, ends_at=slot.starts_at - dt.timedelta(minutes=1))
    assert slot.event.slots.count() == 1


@pytest.mark.django_db
def test_an_organization_registers_once_per_salon_and_a_fixed_table_has_one_keeper():
    table = TableFactory(number=1)
    first = RegistrationFactory(event=table.event, fixed_table=table)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=table.event, organization=first.organization)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=table.event, fixed_table=table)
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_a_fixed_table_must_belong_to_the_same_salon():
    registration = RegistrationFactory.build(
        event=EventFactory(), organization=RegistrationFactory().organization, fixed_table=TableFactory()
    )
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            registration.full_clean()
        assert excinfo.value.message_dict == {"fixed_table": ["The table belongs to another salon."]}

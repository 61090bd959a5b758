"""``events.selectors.organized_salons``: the salons a user runs, for the organizer pages, the
salon's exports and the API."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import OrganizationKind
from events.selectors import organized_salons
from tests.factories import EventFactory, MembershipFactory, OrganizationFactory, StartupFactory

pytestmark = pytest.mark.django_db


def test_it_returns_the_salons_of_each_organizer_organization_of_the_user_and_no_other():
    seoul = OrganizationFactory(kind=OrganizationKind.ORGANIZER)
    busan = OrganizationFactory(kind=OrganizationKind.ORGANIZER)
    elsewhere = OrganizationFactory(kind=OrganizationKind.ORGANIZER)
    first = EventFactory(organizer=seoul, slug="seoul-1", status="draft")
    second = EventFactory(organizer=busan, slug="busan-1")
    EventFactory(organizer=elsewhere, slug="elsewhere-1")
    member = MembershipFactory(organization=seoul).user
    MembershipFactory(user=member, organization=busan)

    assert sorted(organized_salons(member).values_list("slug", flat=True)) == ["busan-1", "seoul-1"]
    assert set(organized_salons(member)) == {first, second}


def test_it_returns_nothing_to_startups_corporates_and_anonymous_users():
    EventFactory(slug="seoul-1")
    startup_member = MembershipFactory(organization=StartupFactory()).user
    corporate_member = MembershipFactory(organization=OrganizationFactory()).user

    assert list(organized_salons(startup_member)) == []
    assert list(organized_salons(corporate_member)) == []
    assert list(organized_salons(AnonymousUser())) == []

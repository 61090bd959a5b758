import datetime as dt
from zoneinfo import ZoneInfo

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Membership, Organization, OrganizationKind, User
from events.models import Event, Registration, Slot, Table
from matching.models import Concept, DeviceArea, PartneringNeed, TechnologyOffer

SEOUL = ZoneInfo("Asia/Seoul")


def valid_brn(n: int) -> str:
    """The n-th of a series of distinct 사업자등록번호 whose checksum holds."""
    digits = [int(c) for c in f"{301000000 + n:09d}"]
    total = sum(d * w for d, w in zip(digits, (1, 3, 7, 1, 3, 7, 1, 3, 5), strict=True)) + digits[8] * 5 // 10
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def confirmed(user, create, extracted, **kwargs):
        """Every user's address is confirmed (allauth's EmailAddress) unless ``confirmed=False``."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.CORPORATE
    name_ko = factory.Sequence(lambda n: f"기관 {n}")
    name_en = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    country = "US"
    verified_at = factory.LazyFunction(timezone.now)  # an established organization; pass None for a new one


class StartupFactory(OrganizationFactory):
    kind = OrganizationKind.STARTUP
    country = "KR"
    cluster = "pangyo"
    business_registration_number = factory.Sequence(valid_brn)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "member"


class DeviceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceArea
        django_get_or_create = ["code"]

    code = "imaging"
    name_ko = "영상진단·영상 AI"
    name_en = "Imaging and imaging AI"


class ConceptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concept
        django_get_or_create = ["code"]

    code = "imaging.lung_nodule"
    area = factory.SubFactory(DeviceAreaFactory)
    name_ko = "폐결절"
    name_en = "lung nodule"


class TechnologyOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechnologyOffer

    organization = factory.SubFactory(StartupFactory)
    title = factory.Sequence(lambda n: f"흉부 CT 폐결절 검출 AI {n}")
    description = "저선량 흉부 CT에서 폐결절을 자동 검출하는 딥러닝 소프트웨어입니다."
    stage = "clinical"
    deal_types = ["licensing"]
    target_regions = ["US"]
    status = "approved"


class PartneringNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartneringNeed

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Lung nodule AI for our CT portfolio {n}")
    description = "We look for CE-marked lung nodule detection software to integrate with our CT scanners."
    stage_min = "clinical"
    stage_max = "marketed"
    deal_types = ["oem_integration"]
    regions = ["EU"]


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    organizer = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.ORGANIZER, country="KR")
    title_ko = factory.Sequence(lambda n: f"판교 파트너링 살롱 {n}")
    title_en = factory.Sequence(lambda n: f"Pangyo Partnering Salon {n}")
    slug = factory.Sequence(lambda n: f"salon-{n}")
    city = "pangyo"
    venue = "판교 테크노밸리 컨퍼런스홀"
    date = dt.date(2026, 12, 10)
    registration_opens_at = dt.datetime(2026, 11, 1, 9, tzinfo=SEOUL)
    registration_closes_at = dt.datetime(2026, 12, 3, 18, tzinfo=SEOUL)
    status = "open"


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    event = factory.SubFactory(EventFactory)
    index = factory.Sequence(lambda n: n + 1)
    starts_at = factory.LazyAttribute(
        lambda o: dt.datetime(2026, 12, 10, 14, tzinfo=SEOUL) + dt.timedelta(minutes=25 * o.index)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=20))


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table

    event = factory.SubFactory(EventFactory)
    number = factory.Sequence(lambda n: n + 1)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    organization = factory.SubFactory(StartupFactory)
    languages = ["ko"]

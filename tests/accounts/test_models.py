import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Membership, Organization, User
from accounts.validators import business_registration_number_is_valid, validate_business_registration_number
from tests.factories import MembershipFactory, OrganizationFactory, StartupFactory, UserFactory


@pytest.mark.parametrize(
    "number",
    ["220-81-62517", "124-81-00998", "120-81-47521", "1234567891", " 220 81 62517 "],
)
def test_it_accepts_valid_business_registration_numbers(number):
    assert business_registration_number_is_valid(number) is True
    validate_business_registration_number(number)  # raises on failure


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("220-81-62518", "brn_checksum"),  # last digit off by one
        ("1234567890", "brn_checksum"),
        ("124-81-00999", "brn_checksum"),
        ("22081625", "brn_format"),  # too short
        ("22081625170", "brn_format"),  # too long
        ("220-81-6251A", "brn_format"),
        ("", "brn_format"),
    ],
)
def test_it_rejects_invalid_business_registration_numbers(number, code):
    assert business_registration_number_is_valid(number) is False
    with pytest.raises(ValidationError) as excinfo:
        validate_business_registration_number(number)
    assert excinfo.value.code == code


@pytest.mark.django_db
def test_it_explains_a_wrong_checksum_in_korean_and_english():
    from django.utils import translation

    organization = StartupFactory.build(business_registration_number="2208162518")
    with translation.override("ko"):
        with pytest.raises(ValidationError) as excinfo:
            organization.full_clean()
        assert excinfo.value.message_dict["business_registration_number"] == [
            "사업자등록번호 검증숫자가 맞지 않습니다. 각 자리를 다시 확인해 주세요."
        ]
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            organization.full_clean()
        assert excinfo.value.message_dict["business_registration_number"] == [
            "This business registration number fails the checksum; please check each digit."
        ]


@pytest.mark.django_db
def test_it_requires_a_business_registration_number_for_korean_startups():
    with pytest.raises(IntegrityError), transaction.atomic():
        StartupFactory(business_registration_number="")
    # Corporates and foreign companies have none.
    OrganizationFactory(kind="corporate", country="US", business_registration_number="")
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_two_organizations_with_the_same_business_registration_number():
    StartupFactory(business_registration_number="2208162517")
    with pytest.raises(IntegrityError), transaction.atomic():
        StartupFactory(business_registration_number="2208162517")
    assert Organization.objects.filter(business_registration_number="2208162517").count() == 1


@pytest.mark.django_db
def test_it_rejects_an_unknown_organization_kind_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory(kind="investor")


@pytest.mark.django_db
def test_it_names_organizations_in_the_active_language():
    from django.utils import translation

    organization = OrganizationFactory(name_ko="메디뷰", name_en="Medivue")
    with translation.override("ko"):
        assert str(organization) == "메디뷰"
    with translation.override("en"):
        assert str(organization) == "Medivue"


@pytest.mark.django_db
def test_it_logs_in_by_email_case_insensitively():
    User.objects.create_user("Kim.Minji@Example.COM", "correct horse battery", preferred_language="en")
    user = User.objects.get()
    assert user.email == "kim.minji@example.com"
    assert user.preferred_language == "en"
    assert user.check_password("correct horse battery") is True


@pytest.mark.django_db
def test_it_defaults_users_to_korean():
    assert UserFactory().preferred_language == "ko"


@pytest.mark.django_db
def test_it_refuses_a_duplicate_membership():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=membership.user, organization=membership.organization, role="admin")
    assert Membership.objects.count() == 1


def test_the_factory_series_of_registration_numbers_is_valid_and_distinct():
    from tests.factories import valid_brn

    numbers = [valid_brn(n) for n in range(200)]
    assert len(set(numbers)) == 200
    assert all(business_registration_number_is_valid(number) for number in numbers)

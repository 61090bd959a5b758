"""The admin writes offers through matching.services, like the forms and the API."""

import pytest

from accounts.models import User
from matching.embedding_service import embedding_text
from matching.embeddings import text_hash
from matching.models import Embedding, RegulatoryApproval, TechnologyOffer
from tests.factories import DeviceAreaFactory, StartupFactory, TechnologyOfferFactory

pytestmark = pytest.mark.django_db


def _inline(rows, initial=0):
    data = {
        "approvals-TOTAL_FORMS": str(len(rows)),
        "approvals-INITIAL_FORMS": str(initial),
        "approvals-MIN_NUM_FORMS": "0",
        "approvals-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"approvals-{n}-{key}": value for key, value in row.items()})
    return data


@pytest.fixture
def staff(client):
    client.force_login(User.objects.create_superuser("staff@example.com", "correct horse battery"))
    return client


def test_it_creates_an_offer_with_its_approvals_and_embeds_it(staff, django_capture_on_commit_callbacks):
    startup, area = StartupFactory(), DeviceAreaFactory(code="imaging")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/matching/technologyoffer/add/",
            {
                "organization": startup.pk,
                "title": "흉부 CT 판독 보조 AI",
                "description": "저선량 흉부 CT에서 폐결절을 검출합니다.",
                "areas": [area.pk],
                "stage": "approved_kr",
                "deal_types": '["licensing"]',
                "target_regions": '["US"]',
                "status": "approved",
                **_inline([{"market": "KR", "pathway": "mfds_2", "status": "granted"}]),
            },
        )
    assert response.status_code == 302, response.content.decode()[:1500]
    offer = TechnologyOffer.objects.get()
    assert (offer.title, offer.language, list(offer.areas.values_list("code", flat=True))) == (
        "흉부 CT 판독 보조 AI",
        "ko",
        ["imaging"],
    )
    assert list(offer.approvals.values_list("market", "pathway", "status")) == [("KR", "mfds_2", "granted")]
    embedded = Embedding.objects.get(offer=offer)  # queued after the commit, run in-process here
    assert embedded.text_hash == text_hash(embedding_text(offer.title, offer.description))


def test_a_change_replaces_the_approvals_and_embeds_the_new_text(staff, django_capture_on_commit_callbacks):
    offer = TechnologyOfferFactory(title="Wearable ECG patch", stage="clinical")
    approval = RegulatoryApproval.objects.create(offer=offer, market="KR", pathway="mfds_2", status="granted")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/admin/matching/technologyoffer/{offer.pk}/change/",
            {
                "organization": offer.organization_id,
                "title": "Wearable 14-day ECG patch",
                "description": offer.description,
                "stage": "approved_kr",
                "deal_types": '["distribution"]',
                "target_regions": '["SEA"]',
                "status": "approved",
                **_inline(
                    [
                        {
                            "id": approval.pk,
                            "offer": offer.pk,
                            "market": "KR",
                            "pathway": "mfds_2",
                            "status": "granted",
                            "DELETE": "on",
                        },
                        {"market": "US", "pathway": "fda_510k", "status": "planned"},
                    ],
                    initial=1,
                ),
            },
        )
    assert response.status_code == 302, response.content.decode()[:1500]
    offer.refresh_from_db()
    assert (offer.title, offer.stage, offer.deal_types) == (
        "Wearable 14-day ECG patch",
        "approved_kr",
        ["distribution"],
    )
    assert list(offer.approvals.values_list("market", "pathway", "status")) == [("US", "fda_510k", "planned")]
    assert Embedding.objects.get(offer=offer).text_hash == text_hash(embedding_text(offer.title, offer.description))

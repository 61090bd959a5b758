from django.core.management.base import BaseCommand
from django.db.models import Count

from accounts.models import Organization, User
from events.models import Event
from matching.embeddings import get_backend
from matching.models import Concept, DeviceArea, Embedding, PartneringNeed, TechnologyOffer
from seeds.loader import DEMO_PASSWORD, read_json


class Command(BaseCommand):
    help = "Print what the demo database holds and how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        kinds = dict(Organization.objects.values_list("kind").annotate(n=Count("id")))
        offer_languages = dict(TechnologyOffer.objects.values_list("language").annotate(n=Count("id")))
        backend = get_backend()
        embedded = Embedding.objects.filter(model_name=backend.model_name)
        embedded_offers = embedded.filter(offer__isnull=False).count()
        embedded_needs = embedded.filter(need__isnull=False).count()
        lines = [
            "",
            "Partnering Salon — demo ready",
            f"  embeddings     {backend.name} backend, model {backend.model_name} ({backend.dimension} dimensions): "
            f"{embedded_offers} offers, {embedded_needs} needs",
            f"  taxonomy       {DeviceArea.objects.count()} device areas, {Concept.objects.count()} concepts",
            f"  organizations  {kinds.get('startup', 0)} startups, {kinds.get('corporate', 0)} corporate BD teams, "
            f"{kinds.get('organizer', 0)} organizer",
            f"  offers         {TechnologyOffer.objects.count()} "
            f"({offer_languages.get('ko', 0)} in Korean, {offer_languages.get('en', 0)} in English)",
            f"  needs          {PartneringNeed.objects.count()} "
            f"({PartneringNeed.objects.filter(is_confidential=True).count()} confidential)",
        ]
        for event in Event.objects.annotate(
            slot_count=Count("slots", distinct=True),
            table_count=Count("tables", distinct=True),
            registration_count=Count("registrations", distinct=True),
        ).order_by("date"):
            lines.append(
                f"  salon          {event.date} {event.title_en} [{event.status}] — {event.registration_count} "
                f"registrations, {event.slot_count} slots × {event.table_count} tables"
            )
        demo_emails = [user["email"] for user in read_json("salons.json")["users"]]
        existing = set(User.objects.filter(email__in=demo_emails).values_list("email", flat=True))
        lines += ["", f"  open {url}  (admin: {url}admin/)", f"  demo logins (password: {DEMO_PASSWORD}):"]
        lines += [f"    {email}" for email in demo_emails if email in existing]
        self.stdout.write("\n".join(lines) + "\n")

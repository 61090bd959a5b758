from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Salons and scheduling")

    def ready(self):
        # matching may not import events; it reads the meeting requests through this source.
        from events import engagement
        from matching import engagement as matching_engagement

        matching_engagement.provide(engagement)

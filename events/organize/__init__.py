"""The organizer's pages, mounted at ``/organize/`` (``events.organize.urls``), one module per page:
``dashboard`` (with the platform-wide embedding run), ``salon`` (settings and program), ``control``
(lifecycle and registrations), ``runs`` (proposal and scheduling runs), ``schedule`` (the grid with
manual moves and locks), ``audit`` and ``imports`` (the spreadsheet import).

Only members of a salon's organizer organization see it: everyone else gets 404, with no hint that
the salon exists (``access``). Every write goes through a service (``salon_service``,
``schedule_service``, ``matching.imports``) or a Celery task calling one (``events.tasks``); a
refused step shows the service's message."""

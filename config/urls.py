from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import health, live
from events import workspace_urls
from matching import urls as matching_urls

# The workspace: pages of matching (profiles, matches) and of events (home, meeting requests).
workspace = ([*workspace_urls.urlpatterns, *matching_urls.urlpatterns], "workspace")

# Swagger UI: the split view serves its start-up script as a file (?script), so no inline script;
# its bundled icons are data: images, the one addition to the site's Content-Security-Policy here.
api_docs = csp_update({"img-src": ["data:"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("", include("events.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.account.urls")),  # password reset and change, e-mail confirmation
    path("workspace/", include(workspace)),
    path("organize/", include("events.organize.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("health/live/", live, name="health-live"),
    path("api/v1/", include(("config.api", "api"))),  # namespaced: the web pages own the plain names
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
]

# MEDIA_ROOT is deliberately not served, not even with DEBUG: it holds private teasers, which only
# matching.views.offer_teaser and the API hand out after a permission check.

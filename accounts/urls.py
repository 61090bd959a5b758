from allauth.account import views as allauth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    # The same paths as django-allauth's (config.urls includes its others after these), named here.
    path("logout/", allauth_views.LogoutView.as_view(), name="logout"),
    path("signup/", allauth_views.SignupView.as_view(), name="signup"),
    path("privacy/", views.privacy, name="privacy"),
    path("organization/new/", views.organization_new, name="organization-new"),
    path("organization/<slug:slug>/edit/", views.organization_edit, name="organization-edit"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:api_token>/revoke/", views.token_revoke, name="token-revoke"),
    path("tokens/calendar/rotate/", views.calendar_rotate, name="calendar-rotate"),
]

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens
from accounts.api.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from accounts.throttling import SignInRateThrottle

from .serializers import TokenRequestSerializer, TokenSerializer


class TokenView(APIView):
    """Exchange an e-mail and password for a new API token (``Authorization: Token …``), which
    expires after ``API_TOKEN_LIFETIME_DAYS``; ``DELETE`` with a token revokes that token. A user's
    tokens are listed and revoked at ``/accounts/tokens/``."""

    permission_classes = [AllowAny]
    throttle_classes = [SignInRateThrottle]

    def get_authenticators(self):
        # Signing in needs no credentials; revoking needs the token itself.
        request = getattr(self, "request", None)  # None while the OpenAPI schema is generated
        return [] if request is not None and request.method != "DELETE" else [ApiTokenAuthentication()]

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        name = serializer.validated_data.get("name") or _("API token")
        try:
            token, key = tokens.issue(serializer.validated_data["user"], name=name)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        return Response(
            TokenSerializer({"token": key, "name": token.name, "expires_at": token.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise serializers.ValidationError({"non_field_errors": [_("Send the token to revoke in the header.")]})
        tokens.revoke(request.user, request.auth.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("e-mail"))
    password = serializers.CharField(label=_("password"), style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        label=_("name"), required=False, max_length=100, help_text=_("What the token is for, e.g. “CRM sync”.")
    )

    def validate(self, attrs):
        user = authenticate(self.context["request"], username=attrs["email"], password=attrs["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError(_("E-mail or password is wrong."), code="authorization")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Shown once: keep it secret."))
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()

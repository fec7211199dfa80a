"""What drf-spectacular needs told about MEPSIS's own classes to describe the API."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "mepsis.access.tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token authentication: `Authorization: Token KEY` (`mepsis users token USERNAME`)."}

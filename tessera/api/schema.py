"""The OpenAPI schema's parts DRF cannot see: the bearer token, and the problem document every error answers."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Invalid fields: the messages of each (non_field_errors: of the whole request).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}

_ERRORS = {
    "400": "Invalid input, or a refusal of the workflow (the fields and their messages).",
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "The user or the token (read only) may not do this.",
    "404": "Not found, or not visible to this user.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "The ticket's status does not allow this (any more).",
    "415": "Unsupported media type.",
    "429": "Too many requests: wait the seconds of Retry-After.",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tessera.api.authentication.BearerTokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal or service access token (tsr_…)."}


class CsrfSessionScheme(SessionScheme):
    target_class = "tessera.api.authentication.CsrfSessionAuthentication"


class ProblemAutoSchema(AutoSchema):
    """Every operation also documents its errors as ``application/problem+json``."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        public = not self.get_auth() or {} in self.get_auth()
        for code, description in _ERRORS.items():
            if code == "401" and public:
                continue
            responses.setdefault(code, {
                "description": description,
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            })
        return responses


def add_problem_component(result, generator, request, public):
    """Postprocessing hook: the Problem schema every error response refers to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    return result

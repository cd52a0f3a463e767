"""The OpenAPI schema's view of an operation, with the refusals it may answer.

drf-spectacular documents the successes each view declares; the refusals come from the framework and
the services (a validation error, a missing object, an illegal move), the same everywhere, so they are
added here once: a client generated from the schema then knows the error body, and the API fuzzing
(tests/fuzz) can hold every answer to a documented status code and media type.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        'A refusal with its reason in the request\'s language: `{"detail": "message"}`, or the fields '
        'refused with their messages (`{"field": ["message"]}`), sometimes with `allowed` moves or the '
        "`current` version."
    ),
    "properties": {
        "detail": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "the message, when it is about the request as a whole",
        },
    },
    "additionalProperties": True,
}

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        error = ResolvedComponent(name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA)
        self.registry.register_on_missing(error)
        body = {"application/json": {"schema": error.ref}}
        for status, description in self._refusals():
            operation["responses"].setdefault(str(status), {"description": description, "content": body})
        return operation

    def _refusals(self) -> list[tuple[int, str]]:
        refusals = [(400, "The input was refused: the message says why.")]
        if self.view.get_authenticators():  # a bad token is refused even where anyone may ask
            refusals += [
                (401, "No credentials, or credentials that are not valid."),
                (403, "Visible to the caller, but not theirs to do (or a session without its CSRF token)."),
            ]
        refusals.append((404, "No such object, or none the caller may see."))
        if self.method in UNSAFE_METHODS or self._is_document_action():
            refusals.append((409, "Not possible in the object's present state, or changed meanwhile."))
        if self.method in UNSAFE_METHODS:
            refusals.append((415, "A body in a media type the operation does not read, or one that does not parse."))
        if self.view.get_throttles():
            refusals.append((429, "Too many requests: try again later."))
        return refusals

    def _is_document_action(self) -> bool:
        """A GET action besides list and detail: such actions (a document of an object) may refuse with
        409 when the object is not in the state for it, as an agreement's application before signing."""
        return getattr(self.view, "action", None) not in (None, "list", "retrieve")

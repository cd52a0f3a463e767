"""Domain errors. Services raise them with a message for the user; the API and the pages turn them
into 400, 403 or 409 answers in the user's language."""


class DomainError(Exception):
    """Bad input or an impossible request: 400."""

    status_code = 400

    def __init__(self, message, *, field: str | None = None, extra: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_payload(self) -> dict:
        if self.field:
            return {self.field: [str(self.message)], **self.extra}
        return {"detail": str(self.message), **self.extra}


class ConflictError(DomainError):
    """The object is not in a state that allows this (a stale version, an illegal transition): 409."""

    status_code = 409


class NotAllowed(DomainError):
    """The object is visible to the actor, but the actor may not do this to it: 403."""

    status_code = 403

"""A refused step as the pages show it: lines for the user, and, for a step's form, the errors by
input so each stands next to its input. Shared by the case, hand-off, warning and hotspot pages; each
passes its own names for the inputs (`labels`)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as ApiValidationError

from govcenter.errors import ConflictError, DomainError, NotAllowed

GENERAL_KEYS = ("non_field_errors", "detail", "__all__")


def lines(detail, labels: dict, field: str | None = None) -> list[str]:
    """A nested error detail (DRF's, a form's) as lines, each named by its input's label."""
    if isinstance(detail, dict):
        return [line for key, value in detail.items() for line in lines(value, labels, key)]
    if isinstance(detail, list | tuple):
        return [line for item in detail for line in lines(item, labels, field)]
    if field and field not in GENERAL_KEYS:
        return [f"{labels.get(field, field)}: {detail}"]
    return [str(detail)]


def error_lines(error: Exception, labels: dict) -> list[str]:
    """What went wrong, in lines for the user, from whichever layer refused."""
    if isinstance(error, ApiValidationError):
        return lines(error.detail, labels)
    if isinstance(error, DomainError):
        return [str(error.message)]
    if isinstance(error, DjangoValidationError):
        return lines(error.message_dict if hasattr(error, "error_dict") else error.messages, labels)
    if isinstance(error, IntegrityError):
        return [_("The change conflicts with existing data and was not saved.")]
    raise error


def input_errors(error: Exception, inputs: set[str], labels: dict) -> dict[str, list[str]] | None:
    """A refusal of a form's input by input name, "form" for what belongs to none of `inputs`; None
    when the step itself is refused (a stale page, an illegal move, no right): that goes on top of
    the reloaded page."""
    if isinstance(error, ConflictError | NotAllowed | IntegrityError):
        return None
    if isinstance(error, ApiValidationError) and isinstance(error.detail, dict):
        problems = {key: lines(value, labels) for key, value in error.detail.items()}
    elif isinstance(error, DomainError):
        problems = {error.field or "": [str(error.message)]}
    elif isinstance(error, DjangoValidationError) and hasattr(error, "error_dict"):
        problems = {key: lines(value, labels) for key, value in error.message_dict.items()}
    else:
        problems = {"": error_lines(error, labels)}
    errors: dict[str, list[str]] = {"form": []}
    for key, found in problems.items():
        if key in inputs:
            errors[key] = found
        else:
            label = labels.get(key)
            errors["form"] += [f"{label}: {line}" if label else line for line in found]
    return errors

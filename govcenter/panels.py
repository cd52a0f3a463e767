"""Panels on the home page contributed by the apps.

The core cannot import the apps built on it, so each app registers a function that, given the
request, returns a panel (a template and its context) or None when it has nothing for this user.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)


_PANELS: list[Callable] = []


def register(panel: Callable) -> Callable:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def render_for(request) -> list[str]:
    """The HTML of every panel that has something for this user, in registration order."""
    built = (build(request) for build in _PANELS)
    return [render_to_string(panel.template, panel.context, request=request) for panel in built if panel]

"""Extension points that the apps built on cases fill in: they may import cases, cases may not
import them (DESIGN.md: imports run one way), so they register here from their AppConfig.ready()."""

from collections.abc import Callable

_PUBLIC_ROSTER: list[Callable] = []


def provide_public_roster(provider: Callable) -> Callable:
    """Register `provider(center) -> [(value, label), …]`: the mediation organisations and mediators a
    citizen may name as preferred on the center's public form."""
    if provider not in _PUBLIC_ROSTER:
        _PUBLIC_ROSTER.append(provider)
    return provider


def public_roster(center) -> list[tuple[str, str]]:
    return [choice for provider in _PUBLIC_ROSTER for choice in provider(center)]

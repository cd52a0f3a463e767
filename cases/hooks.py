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


_MEDIATOR_ASSIGNER: list[Callable] = []


def provide_mediator_assigner(assigner: Callable) -> Callable:
    """Register `assigner(*, actor, case, users, note, expected_version) -> Case`: the mediation
    roster's way of putting a case in mediation with these mediators (users with a roster entry).
    The workflow's assign-mediator verb goes through it, so every assignment is on the roster and
    its grant can be taken back."""
    _MEDIATOR_ASSIGNER[:] = [assigner]
    return assigner


def mediator_assigner() -> Callable | None:
    return _MEDIATOR_ASSIGNER[0] if _MEDIATOR_ASSIGNER else None


_RISK_RECORDS: list[Callable] = []


def provide_risk_records(provider: Callable) -> Callable:
    """Register `provider(case_ids) -> {case_id: [text, …]}`: the written records of later apps (the
    notes of mediation sessions) that the early-warning keywords look into, in one query."""
    if provider not in _RISK_RECORDS:
        _RISK_RECORDS.append(provider)
    return provider


def risk_records(case_ids) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = {}
    for provider in _RISK_RECORDS:
        for case_id, rows in provider(case_ids).items():
            texts.setdefault(case_id, []).extend(rows)
    return texts

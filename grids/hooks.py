"""Extension points the apps built on grids fill in: they may import grids, grids may not import them
(DESIGN.md: imports run one way), so they register here from their AppConfig.ready().

- the finding reporter turns a visit's finding into a case (the cases app);
- outcome providers give, per grid worker and month, the figures of the assessment that live in
  other apps: the cases from their grids resolved in time (cases), the risk warnings they visited in
  time (the early-warning module, once it exists).
"""

from collections.abc import Callable

_FINDING_REPORTER: list[Callable] = []


def provide_finding_reporter(reporter: Callable) -> Callable:
    """Register `reporter(*, actor, visit, report) -> case`: records the visit's finding as a case with
    channel "grid report", linked to the visit and its grid, in the caller's transaction."""
    _FINDING_REPORTER[:] = [reporter]
    return reporter


def finding_reporter() -> Callable | None:
    return _FINDING_REPORTER[0] if _FINDING_REPORTER else None


# Measure name → provider(*, assignments, start, end) -> {worker_id: (due, on_time)}; `assignments`
# are the (worker_id, grid_id, started_at, ended_at) rows overlapping the period.
_OUTCOMES: dict[str, Callable] = {}


def provide_outcome(measure: str, provider: Callable) -> Callable:
    _OUTCOMES[measure] = provider
    return provider


def outcome(measure: str) -> Callable | None:
    return _OUTCOMES.get(measure)


_GRID_CASES: list[Callable] = []


def provide_grid_cases(provider: Callable) -> Callable:
    """Register `provider(*, user, grid_ids, limit) -> [case, …]`: the open cases of these grids the
    user may see, most urgent first (the cases app), for the grid worker's task list."""
    _GRID_CASES[:] = [provider]
    return provider


def grid_cases(*, user, grid_ids, limit: int = 20) -> list:
    return _GRID_CASES[0](user=user, grid_ids=grid_ids, limit=limit) if _GRID_CASES and grid_ids else []

"""How many cells the matrix checked in this run, printed at the end of the run (conftest.py)."""

CELLS: dict[str, int] = {}


def record(part: str, cells: int) -> None:
    CELLS[part] = CELLS.get(part, 0) + cells

import pytest

from tests.matrix import size
from tests.matrix.world import build_world


@pytest.fixture
def world(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(tree)


def pytest_terminal_summary(terminalreporter):
    if size.CELLS:
        parts = ", ".join(f"{part} {cells}" for part, cells in size.CELLS.items())
        terminalreporter.write_line(
            f"permission matrix: {sum(size.CELLS.values())} (role, relation, route, verb) cells checked ({parts})"
        )

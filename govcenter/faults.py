"""A pause point for the fault tests (tests/faults): a place in a background task where a test can
make the worker stop once, so that killing it lands there and nowhere else.

Inert unless the environment of the process names the point: `GOVCENTER_PAUSE_AT=<point>` and
`GOVCENTER_PAUSE_FILE=<path>`. The first task to reach the point creates the file with the point's
name and its process id (the test waits for it) and sleeps until it is killed; once the file exists
the point lets every later attempt through, so the retry runs to the end. Never set in production;
read at each call, so an unset variable costs one dictionary look-up.
"""

import os
import time
from pathlib import Path


def pause_point(name: str) -> None:
    if os.environ.get("GOVCENTER_PAUSE_AT") != name:
        return
    try:
        with Path(os.environ["GOVCENTER_PAUSE_FILE"]).open("x") as file:
            file.write(f"{name} {os.getpid()}\n")
    except FileExistsError:
        return  # paused once already: this is the retry
    while True:  # until the test kills this process
        time.sleep(0.5)

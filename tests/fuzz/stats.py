"""What the fuzzer sent and got back, and the time each operation may take of the run's budget."""

import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class FuzzStats:
    budget: float = 0.0  # seconds each operation may spend, FUZZ_SECONDS shared out
    started: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, Counter] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)
    untranslated: Counter = field(default_factory=Counter)  # 4xx messages with no Chinese in them

    def start(self, *, seconds: float, operations: int) -> None:
        self.budget = seconds / max(operations, 1)
        self.started.clear()
        self.statuses.clear()
        self.skipped.clear()
        self.untranslated.clear()

    def may_send(self, operation: str) -> bool:
        """True while the operation is inside its share of the time; the examples Hypothesis still
        generates after that are counted and not sent."""
        started = self.started.setdefault(operation, time.monotonic())
        if time.monotonic() - started <= self.budget:
            return True
        self.skipped[operation] += 1
        return False

    def record(self, operation: str, status: int) -> None:
        self.statuses.setdefault(operation, Counter())[status] += 1

    def summary(self) -> str:
        sent = sum(sum(counts.values()) for counts in self.statuses.values())
        by_class = Counter()
        for counts in self.statuses.values():
            for status, n in counts.items():
                by_class[f"{status // 100}xx"] += n
        classes = ", ".join(f"{name}: {n}" for name, n in sorted(by_class.items()))
        lines = [
            f"API fuzzing: {sent} requests over {len(self.statuses)} operations ({classes}); "
            f"{sum(self.skipped.values())} examples not sent, over time in {len(self.skipped)} operations"
        ]
        if self.untranslated:
            lines.append(f"4xx messages without Chinese ({len(self.untranslated)}):")
            lines += [f"  {n} × {message!r}" for message, n in self.untranslated.most_common(20)]
        return "\n".join(lines)


STATS = FuzzStats()

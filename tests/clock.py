"""A clock a test moves by hand, for code that takes a ``clock`` instead of reading the time."""


class Clock:
    """Starts at a fixed instant and moves only when told, so no test waits for real time."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

"""The archive commands' progress bar, drawn on the terminal's standard error."""

from __future__ import annotations

from django.core.management.base import OutputWrapper

BAR_WIDTH = 30


def progress_line(member: str, done: int, total: int) -> str:
    """``articles      1,200/5,000 [=======                       ]  24%``."""
    share = done / total if total else 1.0
    filled = int(BAR_WIDTH * share)
    bar = "=" * filled + " " * (BAR_WIDTH - filled)
    return f"{member:<18} {done:>11,}/{total:<11,} [{bar}] {int(share * 100):3d}%"


class ProgressBar:
    """Redraws one line per member in place, when ``enabled`` (the commands: -v 1+ on a tty)."""

    def __init__(self, stream: OutputWrapper, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.last = ""

    def __call__(self, member: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        line = progress_line(member, done, total)
        if line == self.last:
            return
        self.last = line
        # Plain text: standard error's default style would paint the bar as an error.
        self.stream.write(
            "\r" + line, style_func=lambda text: text, ending="\n" if done >= total else ""
        )
        self.stream.flush()

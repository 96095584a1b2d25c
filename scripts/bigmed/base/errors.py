"""One error type for bad user input, rendered as one line naming file, row and field."""

from __future__ import annotations


class InputError(Exception):
    """Bad user input, found before any job runs.

    ``str(err)`` is a single line: ``FILE[: line N][: field F]: message``.
    """

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(self.render())

    def render(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        text = ": ".join(parts) + ": " + self.message
        # One line, whatever the message carried.
        return " ".join(text.split())

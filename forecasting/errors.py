"""The one error type for bad input, shared by every layer (the CLI exits 2 on it)."""


class InputError(ValueError):
    """Bad input: the message names the file, line or field and what is expected."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  {p}" for p in self.problems)

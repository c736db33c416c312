"""Reading a user's YAML file safely: UTF-8 text only, bounded size, no duplicated keys.

Scenario and mapping files are typed by people and copied between tools, so a file in
another encoding, a binary file given by mistake, a key written twice (the second one
silently winning) or a file that expands without bound through YAML aliases must all
end in an `InputError` naming the file and line, never in a traceback or a runaway.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node

from forecasting.errors import InputError

# Scenario and mapping files are a few kilobytes; a megabyte is far beyond any real one
# and still parses in well under a second.
MAX_FILE_BYTES = 1_000_000
# Aliases (`*name`) reuse a node; a few are handy, thousands are the "billion laughs"
# expansion, which makes everything that walks the document exponential.
MAX_ALIASES = 100


def read_text(path: Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a UTF-8 file (a byte-order mark is accepted and dropped).

    Raises:
        InputError: the file cannot be read, is larger than `max_bytes`, holds NUL bytes
            (binary), or is not UTF-8 (the line of the first bad byte is named).
    """
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from exc
    if len(raw) > max_bytes:
        raise InputError(
            f"{path}: the {what} is larger than {max_bytes:,} bytes; "
            "a real one is a few kilobytes (is this the right file?)"
        )
    if b"\0" in raw:
        raise InputError(f"{path}: the {what} is a binary file, expected UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: line {line}: the {what} is not UTF-8 text "
            f"(byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        ) from exc


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicated keys and more than MAX_ALIASES aliases."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        """Count aliases while composing, so a bomb stops before it expands."""
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"more than {MAX_ALIASES} aliases (*name)", mark
                )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping, refusing a key written twice (YAML would keep the last silently)."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base` merges are resolved by the base class
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: construct_mapping below reports it
            if first is None:
                seen[key] = key_node.start_mark.line + 1
                continue
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicated key {key!r} (first on line {first}); the second would "
                "silently replace the first",
                key_node.start_mark,
            )
        return super().construct_mapping(node, deep)


def parse_yaml(text: str, where: str) -> Any:
    """Parse YAML text with StrictLoader.

    Raises:
        InputError: not valid YAML, a duplicated key or too many aliases, with the line.
    """
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 (StrictLoader is a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{where}: {line}not valid YAML ({problem})") from exc
    except RecursionError as exc:
        raise InputError(f"{where}: the YAML is nested too deeply") from exc


def read_yaml(path: Path, what: str) -> Any:
    """Read and parse a user's YAML file (see `read_text` and `parse_yaml`)."""
    return parse_yaml(read_text(path, what), str(path))

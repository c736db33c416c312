"""An HTML form generated from a JSON Schema (the scenario's), and the mapping read back from it.

Rendered on the server, with no script: objects are fieldsets, lists of objects are
repeatable groups (an "add" button re-renders the form with one more item, a "remove"
box drops one), mappings are key/value groups, enums are selects, lists of plain values
are comma-separated text, and a tagged union (`kind`) is a select whose variant's fields
follow. Each input is named by its path (`f.sites.0.timezone`); the problems of a
validation, keyed by the same path as the loader writes it (`sites[0].timezone`), are
shown beside their field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

from markupsafe import Markup

PREFIX = "f"
COUNT = "__n__"
REMOVE = "__remove__"
KEY = "__key__"
VALUE = "__value__"
MISSING: Any = object()
MAX_ITEMS = 20_000  # the largest list in the scenario schema (named agents at a site)


@dataclass
class Problems:
    """Validation messages by field path ('sites[0].timezone'); those shown are marked used."""

    by_path: dict[str, list[str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, lines: list[str]) -> Problems:
        """File 'path: message' lines by path."""
        problems = cls()
        for line in lines:
            path, _, message = line.partition(": ")
            problems.by_path.setdefault(path.strip(), []).append(message or line)
        return problems

    def take(self, path: str) -> list[str]:
        """The messages of `path` (marked shown)."""
        if path in self.by_path:
            self.used.add(path)
        return self.by_path.get(path, [])

    def left(self) -> list[str]:
        """'path: message' of every problem no field showed."""
        return [f"{p}: {m}" for p, ms in self.by_path.items() if p not in self.used for m in ms]


def _err(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


class SchemaForm:
    """Render a mapping as a form over `schema`, and read a submitted form back into a mapping."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.defs: Mapping[str, Any] = schema.get("$defs", {})
        self.values: dict[str, str] = {}  # what the last render's inputs hold, by name
        self._sent: set[str] = set()  # names under which the form being read sent inputs

    # -- the schema ----------------------------------------------------------------

    def resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        """A node with its `$ref` followed (the referring node's title and description kept)."""
        out = dict(node)
        while "$ref" in out:
            target = self.defs[out.pop("$ref").rsplit("/", 1)[-1]]
            out = {**target, **{k: v for k, v in out.items() if k in ("description", "default")}}
        return out

    def kind_of(self, node: Mapping[str, Any]) -> tuple[str, dict[str, Any], bool]:
        """('object' | 'union' | 'list' | 'dict' | 'values' | 'scalar', resolved node, nullable)."""
        node = self.resolve(node)
        nullable = False
        if "anyOf" in node:
            options = [o for o in node["anyOf"] if o.get("type") != "null"]
            nullable = len(options) < len(node["anyOf"])
            if len(options) == 1:
                rest = {k: v for k, v in node.items() if k != "anyOf"}
                node = {**self.resolve(options[0]), **rest}
            else:
                return "scalar", {**node, "type": "text"}, nullable
        if "oneOf" in node and "discriminator" in node:
            return "union", node, nullable
        kind = node.get("type")
        if kind == "object" and "properties" in node:
            return "object", node, nullable
        if kind == "object":
            return "dict", node, nullable
        if kind == "array":
            items = self.resolve(node.get("items", {}))
            structured = items.get("type") == "object" or "oneOf" in items
            return ("list" if structured else "values"), node, nullable
        return "scalar", node, nullable

    def variants(self, node: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """A tagged union's variants by tag."""
        return {
            tag: self.resolve({"$ref": ref})
            for tag, ref in node["discriminator"]["mapping"].items()
        }

    # -- rendering -----------------------------------------------------------------

    def render(self, data: Mapping[str, Any], problems: Problems) -> Markup:
        """The form's fields for `data` (a scenario mapping, possibly partial)."""
        self.values = {}
        return self._object(self.schema, data, PREFIX, "", problems, top=True)

    def _node(
        self,
        node: Mapping[str, Any],
        value: Any,
        name: str,
        err: str,
        title: str,
        problems: Problems,
    ) -> Markup:
        kind, node, nullable = self.kind_of(node)
        if kind == "object":
            return self._object(node, value, name, err, problems, title=title)
        if kind == "union":
            return self._union(node, value, name, err, title, problems)
        if kind in ("list", "dict"):
            return self._many(node, value, name, err, title, problems, keyed=kind == "dict")
        return self._scalar(node, value, name, err, title, problems, kind == "values", nullable)

    def _object(
        self,
        node: Mapping[str, Any],
        value: Any,
        name: str,
        err: str,
        problems: Problems,
        title: str = "",
        top: bool = False,
        skip: tuple[str, ...] = (),
    ) -> Markup:
        value = value if isinstance(value, Mapping) else {}
        required = set(node.get("required", []))
        parts = [
            self._node(
                spec,
                value.get(prop, MISSING),
                f"{name}.{prop}",
                _err(err, prop),
                prop + ("*" if prop in required else ""),
                problems,
            )
            for prop, spec in node.get("properties", {}).items()
            if prop not in skip
        ]
        body = Markup("").join(parts)
        if top:
            return body
        return _group(title, body, problems.take(err), node.get("description", ""))

    def _union(
        self,
        node: Mapping[str, Any],
        value: Any,
        name: str,
        err: str,
        title: str,
        problems: Problems,
    ) -> Markup:
        variants = self.variants(node)
        value = value if isinstance(value, Mapping) else {}
        tag = str(value.get("kind", next(iter(variants))))
        chosen = variants.get(tag, next(iter(variants.values())))
        select = _select(f"{name}.kind", list(variants), tag, blank=False)
        self.values[f"{name}.kind"] = tag
        head = Markup(
            '<div class="field"><label><code>kind</code> {}</label> '
            '<button type="submit" name="action" value="refresh" class="small">'
            "show its fields</button></div>"
        ).format(select)
        body = head + self._object(chosen, value, name, err, problems, top=True, skip=("kind",))
        return _group(title, body, problems.take(err), node.get("description", ""))

    def _many(
        self,
        node: Mapping[str, Any],
        value: Any,
        name: str,
        err: str,
        title: str,
        problems: Problems,
        keyed: bool,
    ) -> Markup:
        """A repeatable group: a list's items, or a mapping's entries with their keys."""
        if keyed:
            entries = list(value.items()) if isinstance(value, Mapping) else []
            item_schema = node.get("additionalProperties", {})
        else:
            entries = list(enumerate(value)) if isinstance(value, list | tuple) else []
            item_schema = node["items"]
        keys = node.get("propertyNames", {}).get("enum")
        self.values[f"{name}.{COUNT}"] = str(len(entries))
        parts = [
            Markup('<input type="hidden" name="{}" value="{}">').format(
                f"{name}.{COUNT}", len(entries)
            )
        ]
        for i, (key, item) in enumerate(entries):
            here = f"{name}.{i}"
            remove = Markup(
                '<label class="remove"><input type="checkbox" name="{}" value="1"> remove</label>'
            ).format(f"{here}.{REMOVE}")
            head = Markup("")
            if keyed:
                self.values[f"{here}.{KEY}"] = str(key)
                key_input = (
                    _select(f"{here}.{KEY}", keys, str(key), blank=not key)
                    if keys
                    else _text(f"{here}.{KEY}", str(key))
                )
                head = Markup("<label>key {}</label>").format(key_input)
            where, inner_name = (
                (_err(err, str(key)), f"{here}.{VALUE}") if keyed else (_err(err, i), here)
            )
            inner = self._node(
                item_schema, item, inner_name, where, "value" if keyed else "", problems
            )
            parts.append(Markup('<div class="item">{}{}{}</div>').format(head, remove, inner))
        parts.append(_add_button(name, title))
        return _group(
            title, Markup("").join(parts), problems.take(err), node.get("description", "")
        )

    def _scalar(
        self,
        node: Mapping[str, Any],
        value: Any,
        name: str,
        err: str,
        title: str,
        problems: Problems,
        many: bool,
        nullable: bool,
    ) -> Markup:
        messages = problems.take(err)
        if many:
            shown = ", ".join(_text_of(v) for v in value) if isinstance(value, list | tuple) else ""
            choices = self.resolve(node.get("items", {})).get("enum")
            hint = f"comma-separated; of {', '.join(choices)}" if choices else "comma-separated"
            widget = _text(name, shown, placeholder=_default_text(node))
            self.values[name] = shown
        elif "enum" in node or "const" in node or node.get("type") == "boolean":
            options = (
                [str(o) for o in node["enum"]]
                if "enum" in node
                else [str(node["const"])]
                if "const" in node
                else ["true", "false"]
            )
            current = "" if value is MISSING or value is None else _text_of(value)
            optional = nullable or "default" in node or value is MISSING
            widget = _select(name, options, current, blank=optional)
            self.values[name] = current
            hint = ""
        else:
            shown = "" if value is MISSING or value is None else _text_of(value)
            widget = _text(name, shown, placeholder=_default_text(node))
            self.values[name] = shown
            hint = node.get("format", "")
        return _field(title, widget, messages, node.get("description", ""), hint)

    def normalise(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """`data` as the form gives it back unchanged (empty optional fields as null, ...)."""
        self.render(data, Problems())
        return self.read(self.values)

    # -- reading a submitted form back -----------------------------------------------

    def read(self, form: Mapping[str, str], add: str = "") -> dict[str, Any]:
        """The mapping a submitted form describes; `add` names a list that gains an item.

        Only items some input was sent for are read, whatever count the form claims.
        """
        self._sent = {
            ".".join(parts[:end])
            for parts in (key.split(".") for key in form)
            for end in range(1, len(parts))
        }
        out = self._read_object(self.schema, form, PREFIX, add)
        return out if isinstance(out, dict) else {}

    def _read(self, node: Mapping[str, Any], form: Mapping[str, str], name: str, add: str) -> Any:
        kind, node, nullable = self.kind_of(node)
        if kind == "object":
            read_object = self._read_object(node, form, name, add)
            if nullable and all(v is None for v in read_object.values()):
                return None
            return read_object
        if kind == "union":
            variants = self.variants(node)
            tag = form.get(f"{name}.kind", "")
            if tag not in variants:
                return MISSING
            read = self._read_object(variants[tag], form, name, add, skip=("kind",))
            return {"kind": tag, **read}
        if kind in ("list", "dict"):
            return self._read_many(kind, node, form, name, add)
        return self._read_scalar(node, form.get(name), kind == "values", nullable)

    def _read_object(
        self,
        node: Mapping[str, Any],
        form: Mapping[str, str],
        name: str,
        add: str,
        skip: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for prop, spec in node.get("properties", {}).items():
            if prop in skip:
                continue
            value = self._read(spec, form, f"{name}.{prop}", add)
            if value is not MISSING:
                out[prop] = value
        return out

    def _read_many(
        self, kind: str, node: Mapping[str, Any], form: Mapping[str, str], name: str, add: str
    ) -> Any:
        raw_count = form.get(f"{name}.{COUNT}")
        if raw_count is None:
            return MISSING
        try:
            count = min(int(raw_count), MAX_ITEMS)
        except ValueError:
            return MISSING
        items: list[Any] = []
        entries: dict[str, Any] = {}
        for i in range(count):
            here = f"{name}.{i}"
            if form.get(f"{here}.{REMOVE}") or here not in self._sent:
                continue
            if kind == "list":
                item = self._read(node["items"], form, here, add)
                items.append({} if item is MISSING else item)
            else:
                key = form.get(f"{here}.{KEY}", "").strip()
                item = self._read(
                    node.get("additionalProperties", {}), form, f"{here}.{VALUE}", add
                )
                entries[key] = None if item is MISSING else item
        if add == name:
            if kind == "list":
                items.append({})
            else:
                entries.setdefault("", None)
        return items if kind == "list" else entries

    def _read_scalar(
        self, node: Mapping[str, Any], text: str | None, many: bool, nullable: bool
    ) -> Any:
        if text is None:
            return MISSING
        if many:
            item = self.resolve(node.get("items", {}))
            if not text.strip() and node.get("default"):
                return MISSING  # the default list, not an empty one
            return [_typed(item, part.strip()) for part in text.split(",") if part.strip()]
        text = text.replace("\r\n", "\n")
        if text.strip() == "":
            if nullable:
                return None
            return "" if node.get("default") == "" else MISSING
        return _typed(node, text)


def _typed(node: Mapping[str, Any], text: str) -> Any:
    """Text as the schema's type: a number or boolean where one is expected (else the text)."""
    kind = node.get("type")
    if kind not in ("string", "text"):
        text = text.strip()
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.lower(), text)
    if kind in ("integer", "number"):
        try:
            return int(text)
        except ValueError:
            pass
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            pass
    return text


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date | Decimal):
        return str(value)
    return str(value)


def _default_text(node: Mapping[str, Any]) -> str:
    if "default" not in node or node["default"] is None:
        return ""
    default = node["default"]
    if isinstance(default, list):
        return ", ".join(str(d) for d in default) or "none"
    if isinstance(default, dict):
        return ""
    return (
        f"default {str(default).removesuffix(':00') if node.get('format') == 'time' else default}"
    )


def _text(name: str, value: str, placeholder: str = "") -> Markup:
    if "\n" in value:  # the parser drops the newline that opens a textarea, so add one
        return Markup('<textarea name="{}" rows="{}">\n{}</textarea>').format(
            name, min(value.count("\n") + 2, 12), value
        )
    return Markup('<input type="text" name="{}" value="{}" placeholder="{}">').format(
        name, value, placeholder
    )


def _select(name: str, options: list[str], current: str, blank: bool) -> Markup:
    choices = list(options)
    if current and current not in choices:
        choices.append(current)  # an invalid value stays visible, with its problem beside it
    html = [Markup('<option value=""></option>')] if blank else []
    html += [
        Markup("<option{}>{}</option>").format(Markup(" selected") if o == current else "", o)
        for o in choices
    ]
    return Markup('<select name="{}">{}</select>').format(name, Markup("").join(html))


def _messages(messages: list[str]) -> Markup:
    return Markup("").join(Markup('<div class="problem">{}</div>').format(m) for m in messages)


def _field(title: str, widget: Markup, messages: list[str], description: str, hint: str) -> Markup:
    note = " · ".join(p for p in (description, hint) if p)
    return Markup('<div class="field{}"><label><code>{}</code> {}</label>{}{}</div>').format(
        " bad" if messages else "",
        title,
        widget,
        Markup(' <span class="muted">{}</span>').format(note) if note else "",
        _messages(messages),
    )


def _group(title: str, body: Markup, messages: list[str], description: str) -> Markup:
    legend = (
        Markup("<legend><code>{}</code>{}</legend>").format(
            title,
            Markup(' <span class="muted">{}</span>').format(description) if description else "",
        )
        if title
        else Markup("")
    )
    return Markup('<fieldset class="group{}">{}{}{}</fieldset>').format(
        " bad" if messages else "", legend, _messages(messages), body
    )


def _add_button(name: str, title: str) -> Markup:
    return Markup(
        '<button type="submit" name="add" value="{}" class="small">add to {}</button>'
    ).format(name, title.rstrip("*") or "the list")

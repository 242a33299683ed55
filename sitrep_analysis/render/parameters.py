"""A notebook's parameters: read from its ``parameters`` cell (Papermill's inspection), typed
by the rules in the package docstring, and every value checked before any cell runs."""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sitrep_analysis.columns import INTEGER
from sitrep_analysis.render.errors import ParameterError

_NO_LITERAL = object()


_SIMPLE_KINDS = {"str": "str", "int": "int", "float": "float", "bool": "bool", "list": "list",
                 "List": "list", "tuple": "list", "dict": "dict", "Dict": "dict"}


_KIND_WORDS = {"str": "a string", "int": "an integer", "float": "a number",
               "bool": "true or false", "list": "a list", "dict": "a JSON object",
               "any": "any value"}
_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class NotebookParameter:
    """One parameter as the notebook declares it, with the type values are checked against.

    ``kind`` is ``str``, ``int``, ``float``, ``bool``, ``list``, ``dict`` or ``any``
    (unchecked); ``item_kind`` is the type of a list's items (``None``: strings, or anything
    from JSON); ``optional`` says whether ``None`` is accepted.
    """

    name: str
    kind: str
    optional: bool
    default_source: str
    help: str = ""
    item_kind: str | None = None
    default: object = field(default=_NO_LITERAL, repr=False, compare=False)

    def expected(self) -> str:
        """What a value must be, in words: ``'an integer (default 30)'``."""
        words = _KIND_WORDS[self.kind]
        if self.kind == "list" and self.item_kind:
            words = "a list of " + {"int": "integers", "float": "numbers"}.get(
                self.item_kind, "strings")
        if self.kind == "list":
            words += ', comma-separated or JSON like ["a", "b"]'
        if self.name.endswith("_date") and self.kind in ("str", "any"):
            words = "a real date written YYYY-MM-DD"
        if self.optional and self.kind != "any":
            words += " or None"
        return f"{words} (default {self.default_source})"


def _kind_of_annotation(annotation: str) -> tuple[str | None, str | None, bool]:
    """(kind, item kind, optional) named by an annotation or type comment; kind None when it
    is not one the checker knows.

    >>> _kind_of_annotation("Optional[list[int]]")
    ('list', 'int', True)
    >>> _kind_of_annotation("pd.Timestamp")
    (None, None, False)
    >>> _declared({"name": "ids", "inferred_type_name": "list[int]", "default": "[]"}).expected()
    'a list of integers, comma-separated or JSON like ["a", "b"] (default [])'
    """
    text = annotation.replace(" ", "")
    optional = False
    match = re.fullmatch(r"(?:typing\.)?Optional\[(.+)\]", text)
    if match:
        text, optional = match.group(1), True
    match = re.fullmatch(r"(\w+)\[(\w+)\]", text)
    if match:
        kind = _SIMPLE_KINDS.get(match.group(1))
        item = _SIMPLE_KINDS.get(match.group(2))
        if kind == "list" and item in ("str", "int", "float"):
            return kind, item, optional
        return (kind, None, optional) if kind in ("list", "dict") else (None, None, False)
    kind = _SIMPLE_KINDS.get(text)
    return kind, None, optional if kind else False


def _kind_of_value(value: object) -> tuple[str, str | None]:
    if isinstance(value, bool):
        return "bool", None
    for kind in (int, float, str, dict):
        if isinstance(value, kind):
            return kind.__name__, None
    if isinstance(value, list | tuple):
        kinds = {_kind_of_value(item)[0] for item in value}
        item = kinds.pop() if len(kinds) == 1 else None
        return "list", item if item in ("int", "float") else None
    return "any", None


def _declared(spec: Mapping[str, str]) -> NotebookParameter:
    name, source = spec["name"], spec["default"]
    try:
        default = ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        default = _NO_LITERAL
    kind, item, optional = _kind_of_annotation(spec.get("inferred_type_name") or "None")
    if kind is None:
        if default is _NO_LITERAL:
            kind, optional = "any", True
        elif default is None:
            kind, optional = "str", True
        else:
            kind, item = _kind_of_value(default)
    if default is None:
        optional = True
    if isinstance(default, tuple):
        default = list(default)
    return NotebookParameter(name, kind, optional, source, spec.get("help", ""), item, default)


def notebook_parameters(notebook_path: str | os.PathLike) -> dict[str, NotebookParameter]:
    """The parameters a notebook declares (its cell tagged ``parameters``), by name, in order."""
    import papermill

    return {name: _declared(spec) for name, spec in
            papermill.inspect_notebook(str(notebook_path)).items()}


def _convert_text(parameter: NotebookParameter, text: str, kind: str | None = None) -> object:
    kind = kind or parameter.kind
    stripped = text.strip()
    if parameter.optional and stripped in ("", "None") and kind == parameter.kind:
        return None
    if kind in ("str", "any"):
        return text
    if kind == "int":
        if INTEGER.fullmatch(stripped):
            return int(stripped)
        raise ValueError
    if kind == "float":
        return float(stripped)
    if kind == "bool":
        if stripped.lower() in _TRUE + _FALSE:
            return stripped.lower() in _TRUE
        raise ValueError
    if kind == "dict":
        value = json.loads(stripped)
        if not isinstance(value, dict):
            raise ValueError
        return value
    # a list
    if stripped.startswith("["):
        value = json.loads(stripped)
        if not isinstance(value, list):
            raise ValueError
        return [_convert_item(parameter, item) for item in value]
    return [_convert_item(parameter, item.strip()) for item in stripped.split(",")
            if item.strip()]


def _convert_item(parameter: NotebookParameter, item: object) -> object:
    if parameter.item_kind is None:
        return item
    if isinstance(item, str):
        return _convert_text(parameter, item, parameter.item_kind)
    return _convert_value(parameter, item, parameter.item_kind)


def _convert_value(parameter: NotebookParameter, value: object, kind: str | None = None) -> object:
    kind = kind or parameter.kind
    if kind == "any":
        return value
    if kind == "str" and isinstance(value, dt.date) and parameter.name.endswith("_date"):
        return value.isoformat()  # TOML and Python dates
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == "list" and isinstance(value, list | tuple):
        return [_convert_item(parameter, item) for item in value]
    python_type = {"str": str, "int": int, "float": float, "bool": bool, "dict": dict}.get(kind)
    if python_type is None or not isinstance(value, python_type) or (
            kind in ("int", "float") and isinstance(value, bool)):
        raise ValueError
    return value


def _check_path(name: str, value: str) -> str:
    path = Path(value).expanduser().resolve()
    if name.endswith("_dir") and not path.is_dir():
        raise ValueError(f"{name} = {value!r}: no such folder ({path})")
    if not path.exists():
        raise ValueError(f"{name} = {value!r}: no such file or folder ({path})")
    return str(path)


def _check_one(parameter: NotebookParameter, value: object) -> object:
    """The value converted to the parameter's type; ValueError with the problem if it can't."""
    name = parameter.name
    refused = ValueError(f"{name} = {value!r}: expected {parameter.expected()}")
    if value is None:
        if parameter.optional:
            return None
        raise refused
    try:
        if isinstance(value, str):
            converted = _convert_text(parameter, value)
        else:
            converted = _convert_value(parameter, value)
    except (ValueError, TypeError):
        raise refused from None
    if isinstance(converted, str):
        if name.endswith("_date"):
            try:
                if not _ISO_DATE.fullmatch(converted):
                    raise ValueError
                dt.date.fromisoformat(converted)
            except ValueError:
                raise ValueError(f"{name} = {value!r}: not a real date; expected a date "
                                 "written YYYY-MM-DD, like 2020-01-08") from None
        if name.endswith(("_dir", "_path")):
            converted = _check_path(name, converted)
    return converted


def _date_order_problems(declared: Mapping[str, NotebookParameter],
                         values: Mapping[str, object]) -> list[str]:
    problems = []
    for name in declared:
        if not name.endswith("start_date"):
            continue
        partner = name.removesuffix("start_date") + "end_date"
        if partner not in declared or not ({name, partner} & set(values)):
            continue
        pair: list[dt.date | None] = []
        for key in (name, partner):
            value = values[key] if key in values else declared[key].default
            try:
                pair.append(dt.date.fromisoformat(value) if isinstance(value, str) else None)
            except ValueError:
                pair.append(None)
        first, last = pair
        if first is not None and last is not None and first > last:
            problems.append(f"{name} {first} is after {partner} {last}: the period "
                            "would be empty")
    return problems


def check_parameters(notebook_path: str | os.PathLike, parameters: Mapping[str, object],
                     declared: Mapping[str, NotebookParameter] | None = None
                     ) -> dict[str, object]:
    """The given parameters checked against the notebook's declarations and converted.

    Returns the values to inject (strings converted by the declared types, paths made
    absolute). Raises :class:`ParameterError` listing every problem: an unknown name (with the
    closest declared name), a value of the wrong type, an impossible date, a start after an end,
    a missing folder. Starts no kernel; ``declared`` saves reading the notebook again.
    """
    if declared is None:
        declared = notebook_parameters(notebook_path)
    problems, values = [], {}
    for name, value in parameters.items():
        parameter = declared.get(name)
        if parameter is None:
            problems.append(_unknown(name, declared))
            continue
        try:
            values[name] = _check_one(parameter, value)
        except ValueError as error:
            problems.append(str(error))
    if not problems:
        problems = _date_order_problems(declared, values)
    if problems:
        raise ParameterError(notebook_path, problems)
    return values


def _unknown(name: str, declared: Mapping[str, NotebookParameter]) -> str:
    if not declared:
        return (f"unknown parameter {name!r}: the notebook declares no parameters (no code "
                "cell is tagged `parameters`)")
    close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown parameter {name!r}{hint} (declared: {', '.join(declared)})"

"""A small evaluator of GitHub Actions expressions, so tests can run a workflow's `if:`,
`concurrency:` and `with:` against real webhook payloads instead of reading them as text.

It follows GitHub's documented semantics ("Evaluate expressions in workflows and actions"):
`&&` and `||` return an operand, not a boolean; `==` compares strings ignoring case and
otherwise converts both sides to numbers; `startsWith`, `endsWith` and `contains` ignore case;
a missing property is null; `.*` filters an array or object. It knows the functions the
project's workflows use and the contexts the caller hands in; anything else raises, so a typo
in a workflow fails the test instead of evaluating to null.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ExpressionError", "evaluate", "evaluate_if", "render", "to_string"]


class ExpressionError(ValueError):
    """The expression is not valid, or uses something this evaluator does not know."""


class _Filtered(list[Any]):
    """The result of `.*`: property access applies to each element."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<number>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))
    | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\].,*])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = match.lastgroup or ""
        out.append(_Tok(kind, match.group(kind)))
        pos = match.end()
    return out


Value = Any
_FUNCTIONS: dict[str, Callable[..., Value]] = {}


def _function(name: str) -> Callable[[Callable[..., Value]], Callable[..., Value]]:
    def register(fn: Callable[..., Value]) -> Callable[..., Value]:
        _FUNCTIONS[name.lower()] = fn
        return fn

    return register


class _Parser:
    """Recursive descent, lowest precedence first: ||, &&, == !=, < <= > >=, !, postfix."""

    def __init__(self, text: str, context: Mapping[str, Any]) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.pos = 0
        self.context = {k.lower(): v for k, v in context.items()}

    def parse(self) -> Value:
        value = self._or()
        if self.pos != len(self.toks):
            raise ExpressionError(f"unexpected {self.toks[self.pos].text!r} in {self.text!r}")
        return value

    def _peek(self, *texts: str) -> bool:
        return self.pos < len(self.toks) and self.toks[self.pos].text in texts

    def _take(self, text: str) -> None:
        if not self._peek(text):
            raise ExpressionError(f"expected {text!r} in {self.text!r}")
        self.pos += 1

    # Both operands are always parsed; evaluation is eager, which is harmless here (no side
    # effects) and keeps unknown names in the untaken branch from passing unnoticed.
    def _or(self) -> Value:
        left = self._and()
        while self._peek("||"):
            self.pos += 1
            right = self._and()
            left = left if truthy(left) else right
        return left

    def _and(self) -> Value:
        left = self._equality()
        while self._peek("&&"):
            self.pos += 1
            right = self._equality()
            left = right if truthy(left) else left
        return left

    def _equality(self) -> Value:
        left = self._comparison()
        while self._peek("==", "!="):
            op = self.toks[self.pos].text
            self.pos += 1
            right = self._comparison()
            same = loose_equal(left, right)
            left = same if op == "==" else not same
        return left

    def _comparison(self) -> Value:
        left = self._unary()
        while self._peek("<", "<=", ">", ">="):
            op = self.toks[self.pos].text
            self.pos += 1
            right = self._unary()
            left = _compare(left, right, op)
        return left

    def _unary(self) -> Value:
        if self._peek("!"):
            self.pos += 1
            return not truthy(self._unary())
        return self._postfix()

    def _postfix(self) -> Value:
        value = self._primary()
        while self._peek(".", "["):
            if self._peek("."):
                self.pos += 1
                if self._peek("*"):
                    self.pos += 1
                    value = _star(value)
                    continue
                tok = self.toks[self.pos]
                if tok.kind != "name":
                    raise ExpressionError(f"expected a property name in {self.text!r}")
                self.pos += 1
                value = _property(value, tok.text)
            else:
                self.pos += 1
                if self._peek("*"):
                    self.pos += 1
                    self._take("]")
                    value = _star(value)
                    continue
                index = self._or()
                self._take("]")
                value = _index(value, index)
        return value

    def _primary(self) -> Value:
        if self.pos >= len(self.toks):
            raise ExpressionError(f"unexpected end of {self.text!r}")
        tok = self.toks[self.pos]
        self.pos += 1
        if tok.text == "(":
            value = self._or()
            self._take(")")
            return value
        if tok.kind == "string":
            return tok.text[1:-1].replace("''", "'")
        if tok.kind == "number":
            return _number_literal(tok.text)
        if tok.kind != "name":
            raise ExpressionError(f"unexpected {tok.text!r} in {self.text!r}")
        word = tok.text.lower()
        if word in ("true", "false"):
            return word == "true"
        if word == "null":
            return None
        if self._peek("("):
            return self._call(word)
        if word not in self.context:
            raise ExpressionError(f"unknown context {tok.text!r} in {self.text!r}")
        return self.context[word]

    def _call(self, name: str) -> Value:
        if name not in _FUNCTIONS:
            raise ExpressionError(f"unknown function {name!r} in {self.text!r}")
        self._take("(")
        args: list[Value] = []
        if not self._peek(")"):
            args.append(self._or())
            while self._peek(","):
                self.pos += 1
                args.append(self._or())
        self._take(")")
        return _FUNCTIONS[name](*args)


def _number_literal(text: str) -> float | int:
    if text.lower().lstrip("-").startswith("0x"):
        return int(text, 16)
    number = float(text)
    return int(number) if number.is_integer() and "." not in text and "e" not in text else number


def _lookup(mapping: Mapping[str, Any], key: str) -> Value:
    if key in mapping:
        return mapping[key]
    folded = key.lower()
    return next((v for k, v in mapping.items() if str(k).lower() == folded), None)


def _property(value: Value, name: str) -> Value:
    if isinstance(value, _Filtered):
        return _Filtered(
            _lookup(item, name) for item in value if isinstance(item, Mapping) and name in item
        )
    if isinstance(value, Mapping):
        return _lookup(value, name)
    return None


def _star(value: Value) -> Value:
    if isinstance(value, _Filtered):
        return _Filtered(x for item in value for x in _star(item))
    if isinstance(value, list):
        return _Filtered(value)
    if isinstance(value, Mapping):
        return _Filtered(value.values())
    return _Filtered()


def _index(value: Value, index: Value) -> Value:
    if isinstance(value, list) and _kind(index) == "number":
        i = int(index)
        return value[i] if 0 <= i < len(value) else None
    if isinstance(value, Mapping):
        return _lookup(value, to_string(index))
    return None


def _kind(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def truthy(value: Value) -> bool:
    """GitHub's falsy values: false, 0, -0, "", null, NaN."""
    kind = _kind(value)
    if kind == "null":
        return False
    if kind == "number":
        return value != 0 and not math.isnan(value)
    if kind in ("boolean", "string"):
        return bool(value)
    return True


def to_number(value: Value) -> float:
    kind = _kind(value)
    if kind == "null":
        return 0.0
    if kind in ("boolean", "number"):
        return float(value)
    if kind == "string":
        text = value.strip()
        if text == "":
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return math.nan
    return math.nan


def to_string(value: Value) -> str:
    """How a value is written into a string (a `with:` input, a group name)."""
    kind = _kind(value)
    if kind == "null":
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "number":
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if kind == "string":
        return str(value)
    raise ExpressionError(f"an {kind} cannot be written into a string")


def loose_equal(left: Value, right: Value) -> bool:
    lk, rk = _kind(left), _kind(right)
    if lk == rk:
        if lk == "string":
            return bool(left.casefold() == right.casefold())
        if lk in ("array", "object"):
            return left is right
        return bool(left == right)
    if "array" in (lk, rk) or "object" in (lk, rk):
        return False
    return to_number(left) == to_number(right)


def _compare(left: Value, right: Value, op: str) -> bool:
    if _kind(left) == _kind(right) == "string":
        a: Any = left.casefold()
        b: Any = right.casefold()
    else:
        a, b = to_number(left), to_number(right)
    return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])


@_function("startsWith")
def _starts_with(text: Value, prefix: Value) -> bool:
    return to_string(text).casefold().startswith(to_string(prefix).casefold())


@_function("endsWith")
def _ends_with(text: Value, suffix: Value) -> bool:
    return to_string(text).casefold().endswith(to_string(suffix).casefold())


@_function("contains")
def _contains(search: Value, item: Value) -> bool:
    if isinstance(search, list):
        return any(loose_equal(element, item) for element in search)
    return to_string(item).casefold() in to_string(search).casefold()


@_function("fromJSON")
def _from_json(text: Value) -> Value:
    return json.loads(to_string(text))


@_function("format")
def _format(template: Value, *args: Value) -> str:
    out = to_string(template).replace("{{", "\0").replace("}}", "\1")
    for i, arg in enumerate(args):
        out = out.replace(f"{{{i}}}", to_string(arg))
    return out.replace("\0", "{").replace("\1", "}")


def evaluate(expression: str, context: Mapping[str, Any]) -> Value:
    """The value of one expression (without `${{ }}`)."""
    return _Parser(expression, context).parse()


_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def render(template: Any, context: Mapping[str, Any]) -> str:
    """A workflow value as the runner hands it on: each `${{ }}` written into the string."""
    if not isinstance(template, str):
        return to_string(template)
    return _TEMPLATE.sub(lambda m: to_string(evaluate(m.group(1), context)), template)


def evaluate_if(condition: Any, context: Mapping[str, Any]) -> bool:
    """Whether a job's `if:` lets it run; `${{ }}` around the whole condition is optional."""
    if isinstance(condition, bool):
        return condition
    text = str(condition).strip()
    whole = _TEMPLATE.fullmatch(text)
    return truthy(evaluate(whole.group(1) if whole else text, context))

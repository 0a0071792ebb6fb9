"""How many positional arguments a function takes, read from its code object.

``inspect.signature`` answers this in general, but importing :mod:`inspect` (with ``ast``,
``dis`` and ``tokenize``) costs every hook several milliseconds. Plain functions and
methods, which is what observers and handlers almost always are, can be read directly;
anything else (a wrapped function, a builtin, a callable object) goes to ``inspect``.
"""

from __future__ import annotations

import types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ['accepts_positional']

_VARARGS = 0x04  # CO_VARARGS: the code takes *args


def accepts_positional(func: Callable[..., Any], count: int, *, exactly: bool,
                       follow_wrapped: bool = True) -> bool:
    """Whether *func* can be called with *count* positional arguments (and nothing else).

    With *exactly*, every parameter beyond those *count* must have a default; without it,
    the call need only be able to take *count* arguments positionally (the rest may be
    required: the legacy "does this handler take arguments" rule). Without
    *follow_wrapped*, a decorated function is judged by the wrapper's own signature (the
    one that is actually called), not by the function it wraps.
    """
    shape = _shape(func, follow_wrapped)
    if shape is None:
        return _accepts_with_inspect(func, count, exactly=exactly, follow_wrapped=follow_wrapped)
    required, most, required_keywords = shape
    if count > most:
        return False
    return not exactly or (required <= count and not required_keywords)


def _shape(func: Callable[..., Any], follow_wrapped: bool) -> tuple[int, float, bool] | None:
    """(required positional, most positional, any required keyword-only) or None."""
    bound = 0
    if isinstance(func, types.MethodType):
        func, bound = func.__func__, 1
    if not isinstance(func, types.FunctionType) or (
            follow_wrapped and hasattr(func, '__wrapped__')):
        return None
    code = func.__code__
    defaults = len(func.__defaults__ or ())
    most: float = float('inf') if code.co_flags & _VARARGS else code.co_argcount - bound
    required = max(code.co_argcount - defaults - bound, 0)
    keyword_defaults = func.__kwdefaults__ or {}
    keyword_only = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    return required, most, any(name not in keyword_defaults for name in keyword_only)


def _accepts_with_inspect(func: Callable[..., Any], count: int, *, exactly: bool,
                          follow_wrapped: bool = True) -> bool:
    import inspect

    try:
        signature = inspect.signature(func, follow_wrapped=follow_wrapped)
    except (TypeError, ValueError):
        return False
    if exactly:
        try:
            signature.bind(*([None] * count))
        except TypeError:
            return False
        return True
    kinds = [p.kind for p in signature.parameters.values()]
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return True
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(kind in positional for kind in kinds) >= count

"""The application's configuration, checked against the types the charm declares."""

from __future__ import annotations

from collections.abc import Mapping

from .._private.typing import TYPE_CHECKING
from ..errors import ModelError
from ._lazy import _GenericLazyMapping

if TYPE_CHECKING:
    from .._private.backend import ModelBackend
    from ..meta import ConfigMeta

__all__ = ['ConfigData', 'ConfigValue']

ConfigValue = bool | int | float | str

_EXPECTED: dict[str, tuple[str, tuple[type, ...]]] = {
    'string': ('a string', (str,)),
    'int': ('an integer', (int,)),
    'float': ('a number', (int, float)),
    'boolean': ('true or false', (bool,)),
    'secret': ('a secret id (a string)', (str,)),
}


def _matches(value: object, option_type: str) -> bool:
    expected = _EXPECTED.get(option_type)
    if expected is None:
        return True  # a type this version does not know: trust Juju
    if isinstance(value, bool) and bool not in expected[1]:
        return False  # True is an int to Python, not to Juju
    return isinstance(value, expected[1])


class ConfigData(_GenericLazyMapping[ConfigValue]):
    """The application's config (``juju config``): option name to value.

    Read with one ``config-get`` on first use and kept for the dispatch. Each value is
    checked against the option's type in the charm's config: a value of another type
    raises :class:`~reactops.errors.ModelError` naming the option, so a mismatch between
    the charm and what Juju holds shows where it starts. Options the metadata does not
    declare are passed through as Juju gave them. Unset options without a default are
    absent.
    """

    def __init__(self, backend: ModelBackend, options: Mapping[str, ConfigMeta] | None = None):
        self._backend = backend
        self._options = dict(options or {})

    def _load(self) -> dict[str, ConfigValue]:
        values = self._backend.config_get()
        self._check(values)
        return values

    def _check(self, values: Mapping[str, ConfigValue]) -> None:
        problems = []
        for name, value in values.items():
            option = self._options.get(name)
            if option is not None and value is not None and not _matches(value, option.type):
                wanted = _EXPECTED[option.type][0]
                shown = '' if option.type == 'secret' else f'{value!r} '  # never a secret
                problems.append(f'{name!r} is declared as {option.type} ({wanted}) but Juju '
                                f'holds {shown}({type(value).__name__})')
        if problems:
            raise ModelError(
                f"config does not match the charm's declared option types: "
                f'{"; ".join(problems)}. Fix the option type in config.yaml (or the '
                f'charm\'s "config" section), or reset the value with '
                f'"juju config <app> --reset <option>"')

    def __repr__(self) -> str:
        # Options of type secret are left out, so a logged config never shows a secret id.
        return repr({name: '<secret>' if self._is_secret(name) else value
                     for name, value in self._data.items()})

    def _is_secret(self, name: str) -> bool:
        option = self._options.get(name)
        return option is not None and option.type == 'secret'

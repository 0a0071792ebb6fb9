"""Building a charm's own config or action-parameter class from Juju's values.

:meth:`CharmBase.load_config` and :meth:`ActionEvent.load_params` pass Juju's values to a
class as keyword arguments, dashes becoming underscores. For a dataclass or a Pydantic
model only the names the class declares are passed (so an option the class does not
care about is no error), with a field's alias (dataclass ``metadata={'alias': ...}``, a
Pydantic ``alias``) naming the Juju key; any other class gets every value.
"""

from __future__ import annotations

from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ['class_fields', 'keyword_arguments']


def class_fields(cls: type[object]) -> dict[str, str] | None:
    """Juju name -> argument name of each field *cls* declares, or ``None`` if unknown."""
    import dataclasses

    if dataclasses.is_dataclass(cls):
        fields: dict[str, str] = {}
        # A Pydantic dataclass applies aliases itself, so it takes the alias as the name.
        pydantic_applies_alias = '__pydantic_validator__' in cls.__dict__
        for field in dataclasses.fields(cls):
            alias = field.metadata.get('alias', field.name)
            fields[alias] = alias if pydantic_applies_alias else field.name
        return fields
    model_fields = getattr(cls, 'model_fields', None)
    if isinstance(model_fields, dict):  # a Pydantic model, which applies aliases itself
        return {(field.alias or name): (field.alias or name)
                for name, field in model_fields.items()}
    return None


def keyword_arguments(values: Mapping[str, Any], fields: dict[str, str] | None,
                      extra: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments for the class: *extra*, then each wanted value by its name."""
    arguments = dict(extra)
    for key, value in sorted(values.items()):
        name = key.replace('-', '_')
        if fields is None:
            arguments[name] = value
        elif name in fields:
            arguments[fields[name]] = value
        elif key in fields:
            arguments[fields[key]] = value
    return arguments

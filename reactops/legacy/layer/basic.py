"""``charms.layer.basic`` as reactops provides it.

layer-basic installed the charm's Python dependencies at hook time (the wheelhouse and a
virtualenv) and set the ``config.*`` flags. A charm run by reactops carries its
dependencies installed when it is packed, and reactops sets the ``config.*`` flags itself
(same names and rules, see :mod:`reactops.reactive.automatic`), so these functions keep
layer-basic's names and do nothing more than that requires.
"""

from __future__ import annotations

__all__ = ['activate_venv', 'bootstrap_charm_deps', 'clear_config_states',
           'init_config_states']


def bootstrap_charm_deps() -> None:
    """Nothing to install: the packed charm already carries its dependencies."""


def activate_venv() -> None:
    """Nothing to activate: the charm's interpreter already has its dependencies."""


def init_config_states() -> None:
    """The ``config.*`` flags are reactops' automatic flags, computed when first read."""


def clear_config_states() -> None:
    """The ``config.*`` flags are cleared by reactops at the end of every hook."""


def __getattr__(name: str) -> object:
    from .._errors import unsupported

    raise unsupported('charms.layer.basic', name)

"""Flags reactops sets by itself, as layer-basic and charms.reactive did.

========================================  =============================================
flag                                      rule
========================================  =============================================
``config.changed``                        some option differs from the last hook that
                                          looked at config (every option, the first time)
``config.changed.<option>``               that option differs
``config.set.<option>``                   the option's value is truthy
``config.default.<option>``               the option equals its default
``leadership.is_leader``                  this unit is the leader
``upgrade.series.in-progress``            set in pre-series-upgrade, cleared in
                                          post-series-upgrade
``container.<name>.*``                    a workload container's Pebble: ready, failed
                                          checks, custom notices (see
                                          :mod:`reactops.reactive._container_flags`)
========================================  =============================================

The ``config.*`` flags, and a container's notice and recovered-check flags, exist only
during the hook (they are cleared at its end, as layer-basic did for config).
``config.*``, ``leadership.*`` and ``container.<name>.ready`` are computed the first time
a handler or the charm reads a flag of that family, so a hook in which nobody asks runs no
``config-get``, ``is-leader`` or Pebble request for them.

To tell a changed option, the state store keeps a keyed digest of each option's value, never
the value: options may be passwords or secret ids. The key is made from the model's uuid
and the unit's name the first time, then kept, so the same hook gives the same store.
"""

from __future__ import annotations

import os

from .._private import fastjson
from .._private.typing import TYPE_CHECKING
from ._runtime import ReactiveRuntime

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = ['CONFIG_PREVIOUS_KEY', 'clear_hook_flags', 'install_automatic_flags', 'is_hook_flag']

#: Where digests of the config seen by the last hook that computed the config flags are kept:
#: ``{DIGESTS_LAYOUT: 1, 'key': <hex>, 'digests': {option: <hex>}}``. Before, the values
#: themselves were kept there (a plain option -> value map); that layout is still read, and
#: replaced at once.
CONFIG_PREVIOUS_KEY = 'reactops.config.previous'
DIGESTS_LAYOUT = 'reactops-config-digests'
# charmhelpers kept the previous config in this file; read once when upgrading in place.
_LEGACY_CONFIG_FILE = '.juju-persistent-config'


def install_automatic_flags(runtime: ReactiveRuntime, charm: Any, hook_name: str) -> None:
    """Arrange for the automatic flags of this dispatch.

    The flags that last only for the hook are kept in memory: set at its start and
    dropped at its end, their rows would be written and deleted in every hook.
    """
    runtime.keep_in_memory(is_hook_flag)
    if hook_name == 'pre-series-upgrade':
        runtime.set('upgrade.series.in-progress')
    elif hook_name == 'post-series-upgrade':
        runtime.clear('upgrade.series.in-progress')
    if charm is None:
        return
    runtime.add_lazy_family('config.', lambda rt: _config_flags(rt, charm))
    runtime.add_lazy_family('leadership.', lambda rt: _leadership_flags(rt, charm))
    meta = charm.framework.meta
    containers = getattr(meta, 'containers', None) if meta is not None else None
    if containers:
        # Only a Kubernetes charm loads the container flags (and, when asked, Pebble).
        from ._container_flags import install_container_flags

        install_container_flags(runtime, charm, hook_name, containers)


def _config_flags(runtime: ReactiveRuntime, charm: Any) -> None:
    config = dict(charm.model.config)
    options = charm.framework.meta.config if charm.framework.meta is not None else {}
    stored = runtime.storage.kv_get(CONFIG_PREVIOUS_KEY)
    if stored is None:
        stored = _legacy_previous(charm.framework.charm_dir)
    key, previous = _previous_digests(stored, f'{charm.model.uuid}/{charm.unit.name}')
    digests = {name: _digest(key, value) for name, value in config.items()}
    any_changed = False
    for name in sorted(set(options) | set(config)):
        value = config.get(name)
        if previous is None or previous.get(name) != digests.get(name, _digest(key, None)):
            any_changed = True
            runtime.set(f'config.changed.{name}')
        _toggle(runtime, f'config.set.{name}', bool(value))
        if name in options:
            _toggle(runtime, f'config.default.{name}', value == options[name].default)
    if any_changed:
        runtime.set('config.changed')
    if stored is None or previous != digests or not _is_digests(stored):
        runtime.storage.kv_set(CONFIG_PREVIOUS_KEY,
                               {DIGESTS_LAYOUT: 1, 'key': key.hex(), 'digests': digests})


def _is_digests(stored: object) -> bool:
    return isinstance(stored, dict) and stored.get(DIGESTS_LAYOUT) == 1


def _previous_digests(stored: object, unit: str) -> tuple[bytes, dict[str, str] | None]:
    """(digest key, previous digests by option) from what the store holds; an old layout
    (plain values) is digested here with a fresh key for *unit*, compared, then dropped."""
    if _is_digests(stored):
        assert isinstance(stored, dict)
        try:
            key = bytes.fromhex(str(stored.get('key')))
        except ValueError:
            key = b''
        digests = stored.get('digests')
        if key and isinstance(digests, dict):
            return key, {str(k): str(v) for k, v in digests.items()}
        return _new_key(unit), None  # damaged: every option counts as changed, as at first
    key = _new_key(unit)
    if not isinstance(stored, dict):
        return key, None
    return key, {str(name): _digest(key, value) for name, value in stored.items()}


def _new_key(unit: str) -> bytes:
    # Not random: a hook killed and run again must leave the store it would have left.
    return bytes.fromhex(_digest(b'reactops-config-digests', unit))


def _digest(key: bytes, value: object) -> str:
    """A keyed digest of an option's value (its JSON text: 1, 1.0 and true differ)."""
    try:  # _blake2 alone imports in 0.2 ms; hashlib loads OpenSSL first (3.5 ms)
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import blake2b
    text = fastjson.dumps(value, sort_keys=True)
    return blake2b(text.encode(), key=key, digest_size=16).hexdigest()


def _legacy_previous(charm_dir: str | Path | None) -> dict[str, Any] | None:
    if charm_dir is None:
        return None
    try:
        with open(os.path.join(charm_dir, _LEGACY_CONFIG_FILE), encoding='utf-8') as f:
            data = fastjson.loads(f.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _leadership_flags(runtime: ReactiveRuntime, charm: Any) -> None:
    _toggle(runtime, 'leadership.is_leader', charm.unit.is_leader())


def _toggle(runtime: ReactiveRuntime, flag: str, should_set: bool) -> None:
    if should_set:
        runtime.set(flag)
    else:
        runtime.clear(flag)


def clear_hook_flags(runtime: ReactiveRuntime) -> None:
    """Remove the flags that last only for their hook (``config.*``, a container's notice
    and recovered-check flags), without triggers."""
    for flag in [f for f in runtime.flags if is_hook_flag(f)]:
        runtime.forget(flag)
    runtime.keep_in_memory(None)  # a flag set after the dispatch is stored as any other


def is_hook_flag(flag: str) -> bool:
    """Whether *flag* lasts only for its hook (``config.*``, a container's notice and
    recovered-check flags)."""
    return flag.startswith('config.') or _container_hook_flag(flag)


def _container_hook_flag(flag: str) -> bool:
    if not flag.startswith('container.'):
        return False
    from ._container_flags import is_hook_scoped

    return is_hook_scoped(flag)

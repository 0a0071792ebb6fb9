"""The local model: deploy charms, change the model, and run hooks until it is quiet."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import _lifecycle, _process, _tool
from ._bundle import Bundle
from ._state import HookRun, LocalModelError, ModelState, Relation, Unit

__all__ = ['LocalModel', 'unit_charm_dir']

DB_NAME = 'model.db'
MODEL_NAME = 'reactops'
#: The most hooks one settle may run before the model is called unsettled.
MAX_HOOKS = 500


def unit_charm_dir(model_dir: str | Path, unit_name: str) -> Path:
    """The charm directory of *unit_name* (``app/0``): where its ``.unit-state.db`` is."""
    app, _, number = unit_name.partition('/')
    return Path(model_dir) / 'units' / f'{app}-{number}' / 'charm'


def _no_progress(line: str) -> None:
    pass


class LocalModel:
    """One local model, kept in *model_dir*: a Juju that runs on this machine.

    Each method that changes the model queues the hooks Juju would queue; :meth:`settle`
    runs them. *progress* receives a line per hook run.
    """

    def __init__(self, model_dir: str | Path, *, progress: Callable[[str], None] | None = None,
                 hook_timeout: float = 300.0):
        self.dir = Path(model_dir)
        self.progress = progress or _no_progress
        self.hook_timeout = hook_timeout
        self._state: ModelState | None = None

    @property
    def state(self) -> ModelState:
        if self._state is None:
            if not (self.dir / DB_NAME).exists():
                raise LocalModelError(f'no local model in {self.dir}; deploy one with '
                                      f'"reactops run BUNDLE.yaml" (or pass --model-dir)')
            self._state = ModelState(self.dir / DB_NAME)
        return self._state

    def close(self) -> None:
        if self._state is not None:
            self._state.close()
            self._state = None

    # creating

    def create(self) -> None:
        """Start an empty model in the directory, replacing a local model already there."""
        self.close()
        if self.dir.exists() and any(self.dir.iterdir()):
            if not (self.dir / DB_NAME).exists():
                raise LocalModelError(f'{self.dir} is not empty and holds no local model; '
                                      f'choose another --model-dir')
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._state = ModelState(self.dir / DB_NAME)

    def deploy_bundle(self, bundle: Bundle) -> None:
        """Deploy every application of *bundle*, then relate them (nothing runs yet)."""
        for spec in bundle.applications:
            self.deploy(spec.name, spec.charm, units=spec.units, config=spec.config)
        for end1, end2 in bundle.relations:
            self.relate(end1, end2)

    def deploy(self, name: str, charm: Path, *, units: int = 1,
               config: Mapping[str, Any] | None = None) -> None:
        """Add application *name* running the charm in directory *charm*."""
        meta = _charm_meta(charm)
        if any(app.name == name for app in self.state.apps()):
            raise LocalModelError(f'application {name!r} is already deployed')
        values = {key: option.default for key, option in meta.config.items()}
        values.update(_coerce_config(name, meta, dict(config or {})))
        with self.state.transaction():
            self.state.add_app(name, str(charm.resolve()), values)
            for endpoint, rel_meta in meta.peers.items():
                self.state.add_relation(name, endpoint, name, endpoint,
                                        rel_meta.interface_name)
        for _ in range(units):
            self.add_unit(name)

    def add_unit(self, app: str) -> str:
        """Add a unit to *app*: its own charm copy, its setup hooks, its relations."""
        source = Path(self.state.app(app).charm)
        with self.state.transaction():
            unit = self.state.new_unit(app)
            _process.copy_charm(source, unit_charm_dir(self.dir, unit))
            _lifecycle.queue_setup(self.state, unit)
            for rel in self.state.relations(app):
                if not rel.dying:
                    _lifecycle.queue_join(self.state, rel, unit)
        return unit

    # relations

    def relate(self, end1: str, end2: str) -> Relation:
        """Relate ``app:endpoint`` to ``app:endpoint`` (the endpoint may be left out when
        only one fits)."""
        app1, ep1, app2, ep2, interface = self._match(end1, end2)
        for rel in self.state.relations(app1):
            if {(rel.app1, rel.ep1), (rel.app2, rel.ep2)} == {(app1, ep1), (app2, ep2)}:
                raise LocalModelError(f'{app1}:{ep1} and {app2}:{ep2} are already related')
        with self.state.transaction():
            rel_id = self.state.add_relation(app1, ep1, app2, ep2, interface)
            rel = next(r for r in self.state.relations(app1) if r.id == rel_id)
            _lifecycle.queue_new_relation(self.state, rel)
        return rel

    def _match(self, end1: str, end2: str) -> tuple[str, str, str, str, str]:
        """Both ends' app and endpoint, and the interface they share."""
        app1, _, want1 = end1.partition(':')
        app2, _, want2 = end2.partition(':')
        if app1 == app2:
            raise LocalModelError(f'cannot relate {app1} to itself: peer relations are made '
                                  f'when the application is deployed')
        ends1 = _endpoints(self.state.app(app1).charm)
        ends2 = _endpoints(self.state.app(app2).charm)
        for app, want, ends in ((app1, want1, ends1), (app2, want2, ends2)):
            if want and want not in ends:
                raise LocalModelError(f'{app} has no endpoint {want!r} (it has: '
                                      f'{", ".join(sorted(ends)) or "none"})')
        pairs = [(e1, e2) for e1, (r1, i1) in ends1.items() for e2, (r2, i2) in ends2.items()
                 if i1 == i2 and {r1, r2} == {'provides', 'requires'}
                 and want1 in ('', e1) and want2 in ('', e2)]
        if len(pairs) != 1:
            found = ', '.join(f'{app1}:{a} {app2}:{b}' for a, b in pairs) or 'none'
            raise LocalModelError(f'cannot relate {end1} to {end2}: {len(pairs)} matching '
                                  f'endpoint pairs (a provides and a requires endpoint of the '
                                  f'same interface; found: {found}); name the endpoints')
        ep1, ep2 = pairs[0]
        return app1, ep1, app2, ep2, ends1[ep1][1]

    def remove_relation(self, end1: str, end2: str) -> Relation:
        """Remove the relation between the two ends: departed, then broken, on each unit."""
        app1, ep1, app2, ep2, _ = self._match(end1, end2)
        for rel in self.state.relations(app1):
            if not rel.dying and {(rel.app1, rel.ep1), (rel.app2, rel.ep2)} == {
                    (app1, ep1), (app2, ep2)}:
                with self.state.transaction():
                    _lifecycle.queue_departure(self.state, rel)
                return rel
        raise LocalModelError(f'{app1}:{ep1} and {app2}:{ep2} are not related')

    # config, status, actions

    def configure(self, app: str, values: Mapping[str, str]) -> dict[str, Any]:
        """Set config options from ``key=value`` text; queue config-changed if any changed."""
        current = self.state.app(app)
        meta = _charm_meta(Path(current.charm))
        new = {**current.config, **_coerce_config(app, meta, dict(values), from_text=True)}
        if new != current.config:
            with self.state.transaction():
                self.state.set_config(app, new)
                for unit in self.state.units(app):
                    self.state.enqueue(unit.name, 'config-changed')
        return new

    def update_status(self) -> None:
        """Queue update-status on every unit (Juju does it every few minutes)."""
        for unit in self.state.units():
            self.state.enqueue(unit.name, 'update-status')

    def resolve(self, unit: str) -> str:
        """Take *unit* out of error; the failed hook runs again at the next settle.

        The unit's copy of the charm is refreshed from the charm's directory first, so a
        fix made there is what runs (on Juju that takes an upgrade-charm).
        """
        found = self.state.unit(unit)
        hook = found.error_hook
        if hook is None:
            raise LocalModelError(f'unit {unit} is not in error; nothing to resolve')
        _process.copy_charm(Path(self.state.app(found.app).charm),
                            unit_charm_dir(self.dir, unit))
        self.state.set_error(unit, None)
        return hook

    def run_action(self, unit: str, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run action *name* on *unit* now and return its record (status, results, log)."""
        meta = _charm_meta(Path(self.state.app(self.state.unit(unit).app).charm))
        values = _action_params(meta, name, dict(params))
        ident = self.state.start_action(unit, name, values)
        env = {'JUJU_ACTION_NAME': name, 'JUJU_ACTION_UUID': str(uuid.uuid4()),
               'REACTOPS_ACTION_ID': str(ident)}
        ok = self._run(unit, f'actions/{name}', env, label=f'action {name}')
        self.state.finish_action(ident, ok)
        return self.state.action(ident)

    # running hooks

    def settle(self, max_hooks: int = MAX_HOOKS) -> list[Unit]:
        """Run queued hooks until none is left for a unit not in error; return the units
        in error."""
        ran: list[str] = []
        while True:
            stuck = {u.name for u in self.state.units() if u.error_hook}
            item = self.state.next_hook(stuck)
            if item is None:
                return [u for u in self.state.units() if u.error_hook]
            if len(ran) >= max_hooks:
                raise LocalModelError(
                    f'the model did not settle after {max_hooks} hooks; the last ones were '
                    f'{", ".join(ran[-6:])}: charms keep changing each other\'s relation data')
            ident, unit, hook, env = item
            ran.append(f'{unit} {hook}')
            if self._run(unit, f'hooks/{hook}', {**env, 'JUJU_HOOK_NAME': hook}):
                self.state.dequeue(ident)
                self._after(unit, hook, env)
            else:
                self.state.set_error(unit, hook)

    def _run(self, unit: str, dispatch_path: str, env: dict[str, str],
             label: str = '') -> bool:
        """Run one hook of *unit*; commit its writes when it succeeds."""
        hook = label or dispatch_path.rpartition('/')[2]
        self._before(unit, hook, env)
        hook_id = self.state.start_hook(unit, hook)
        # The tools know the hook's unit by this token, which no other hook holds.
        token = _tool.issue_hook_token(self.state.db, hook_id, unit)
        full_env = {**env, 'JUJU_UNIT_NAME': unit, 'JUJU_MODEL_NAME': MODEL_NAME,
                    'JUJU_MODEL_UUID': self.state.meta('uuid') or '',
                    'JUJU_MACHINE_ID': '0', 'JUJU_AVAILABILITY_ZONE': '',
                    'JUJU_PRINCIPAL_UNIT': '', 'JUJU_CONTEXT_ID': f'{unit}-{hook}-{hook_id}',
                    'REACTOPS_MODEL_DB': str((self.dir / DB_NAME).resolve()),
                    'REACTOPS_HOOK_TOKEN': token}
        bin_dir = _process.install_tools(self.dir.resolve())
        try:
            result = _process.run_hook(unit_charm_dir(self.dir, unit).resolve(), bin_dir,
                                       dispatch_path, full_env, self.hook_timeout)
        finally:
            _tool.revoke_hook_token(self.state.db, token)
        self.state.finish_hook(hook_id, result.seconds, result.code, result.output)
        with self.state.transaction():
            written = self.state.take_pending(hook_id)
            changed = _lifecycle.queue_bag_changes(self.state, unit, written) \
                if result.code == 0 else []
        outcome = 'ok' if result.code == 0 else f'FAILED (exit {result.code})'
        wrote = f'; wrote {", ".join(changed)}' if changed else ''
        self.progress(f'{unit:<16} {hook:<34} {outcome} {result.seconds:.2f}s{wrote}')
        return result.code == 0

    def _before(self, unit: str, hook: str, env: dict[str, str]) -> None:
        """Relation membership as the hook must see it: a joining unit is listed in its
        joined hook, a departing one no longer in its departed hook."""
        rel_id = env.get('JUJU_RELATION_ID', '').rpartition(':')[2]
        remote = env.get('JUJU_REMOTE_UNIT', '')
        if rel_id and remote and hook.endswith(('-relation-joined', '-relation-departed')):
            self.state.set_member(int(rel_id), unit, remote, hook.endswith('-joined'))
            if hook.endswith('-joined'):
                self.state.ensure_bag(int(rel_id), remote)
        if rel_id and hook.endswith('-relation-created'):
            self.state.ensure_bag(int(rel_id), unit)
            self.state.ensure_bag(int(rel_id), unit.split('/')[0])

    def _after(self, unit: str, hook: str, env: dict[str, str]) -> None:
        """Forget a removed relation once every unit has seen it broken."""
        rel_id = env.get('JUJU_RELATION_ID', '').rpartition(':')[2]
        if hook.endswith('-relation-broken') and rel_id:
            if self.state.queued_for_relation(int(rel_id)) == 0:
                self.state.drop_relation(int(rel_id))

    # reading

    def flags(self, unit: str) -> dict[str, Any]:
        """The flags set on *unit* after its last hook (empty before its first)."""
        self.state.unit(unit)
        path = unit_charm_dir(self.dir, unit) / '.unit-state.db'
        if not path.exists():
            return {}
        from ..storage import SQLiteStorage

        store = SQLiteStorage(path)
        try:
            return dict(sorted((key[len('reactive.states.'):], value)
                               for key, value in store.kv_items('reactive.states.')))
        finally:
            store.close()

    def hook_runs(self, unit: str) -> list[tuple[HookRun, list[tuple[str, str]]]]:
        """Every hook *unit* ran, oldest first, with its juju-log lines."""
        self.state.unit(unit)
        return [(run, self.state.logs(run.id)) for run in self.state.hook_runs(unit)]


def _charm_meta(charm: Path) -> Any:
    from ..meta import CharmMeta

    try:
        return CharmMeta.from_charm_root(charm)
    except FileNotFoundError:
        raise LocalModelError(f'{charm} is not a charm directory: it has no metadata.yaml or '
                              f'charmcraft.yaml (was it moved since it was deployed?)') from None


def _endpoints(charm: str) -> dict[str, tuple[str, str]]:
    """Endpoint name -> (role, interface) for the provides and requires endpoints."""
    meta = _charm_meta(Path(charm))
    ends = {name: ('provides', rel.interface_name) for name, rel in meta.provides.items()}
    ends.update({name: ('requires', rel.interface_name) for name, rel in meta.requires.items()})
    return ends


_TRUE = ('true', 'yes', 'on', '1')
_FALSE = ('false', 'no', 'off', '0')


def _coerce_config(app: str, meta: Any, values: dict[str, Any],
                   from_text: bool = False) -> dict[str, Any]:
    """Check *values* against the charm's options and convert ``key=value`` text."""
    result = {}
    for key, value in values.items():
        option = meta.config.get(key)
        if option is None:
            raise LocalModelError(f'{app} has no config option {key!r} (options: '
                                  f'{", ".join(sorted(meta.config)) or "none"})')
        kind = option.type
        try:
            if kind == 'int':
                value = int(value)
            elif kind == 'float':
                value = float(value)
            elif kind == 'boolean' and from_text:
                if str(value).lower() not in _TRUE + _FALSE:
                    raise ValueError(value)
                value = str(value).lower() in _TRUE
            elif kind == 'boolean' and not isinstance(value, bool):
                raise ValueError(value)
            elif kind in ('string', 'secret'):
                value = str(value)
        except ValueError:
            raise LocalModelError(f'{app} option {key!r} is of type {kind}; {value!r} is not '
                                  f'a valid {kind}') from None
        result[key] = value
    return result


def _action_params(meta: Any, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The action's parameters: *params* checked against the schema, defaults filled in."""
    action = meta.actions.get(name)
    if action is None:
        raise LocalModelError(f'the charm has no action {name!r} (actions: '
                              f'{", ".join(sorted(meta.actions)) or "none"})')
    values = {key: schema['default'] for key, schema in action.parameters.items()
              if isinstance(schema, dict) and 'default' in schema}
    values.update(params)
    missing = [key for key in action.required if key not in values]
    if missing:
        raise LocalModelError(f'action {name} needs parameter(s) {", ".join(missing)} '
                              f'(give them as key=value)')
    unknown = sorted(set(params) - set(action.parameters))
    if unknown and not action.additional_properties:
        raise LocalModelError(f'action {name} has no parameter(s) {", ".join(unknown)} '
                              f'(it takes: {", ".join(sorted(action.parameters)) or "none"})')
    return values

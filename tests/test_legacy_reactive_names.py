"""charms.reactive's less common names under reactops, at work: ``bus.Handler`` in layers'
own decorators, the dispatch phase they test, ``not_unless``, ``relation_call``,
``RelationFactory``, the ``cli`` tests, ``FlagWatch``, ``ExternalHandler``,
``CachedKeyList``, the tracers and the request/response classes.

A small charm in charms.reactive's shape runs as real hook processes against the fake
hook tools; the rest is called in this process, with the shim installed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakejuju import FakeJuju

import reactops.legacy

REPO = Path(__file__).resolve().parents[1]

HOOK = """\
#!/usr/bin/env python3
import sys
sys.path.append('lib')
from reactops.legacy import main
main()
"""

HANDLERS = '''
from charmhelpers.core import hookenv, unitdata
from charms.reactive import cli, is_flag_set, not_unless, set_flag, when, when_not
from charms.reactive.bus import Handler
from charms.reactive.relations import RelationFactory, relation_call, relation_factory


def note(key, value):
    kv = unitdata.kv()
    kv.set(key, kv.get(key, []) + [value])


def everyhook(action):
    """PostgreSQL's decorator: run in the hooks phase of every hook."""
    Handler.get(action).add_predicate(
        lambda: unitdata.kv().get('reactive.dispatch.phase') == 'hooks')
    return action


def when_go(action):
    """A layer's own decorator: run while 'go' is set, then set 'went'."""
    handler = Handler.get(action)
    handler.add_predicate(lambda: is_flag_set('go'))
    handler.register_flags(['go'])
    handler.add_post_callback(lambda: set_flag('went'))
    return action


@everyhook
def every_hook():
    note('hooks', [hookenv.hook_name(), cli.hook('install'), cli.when_not('started')])


@when_not('started')
def start():
    note('phase', unitdata.kv().get('reactive.dispatch.phase'))
    note('cli', [cli.when('started'), cli.when_not('started'), cli.hook('install'),
                 cli.test('a a-id when_not started', 'b b-id when started')])
    guarded()
    set_flag('started')
    set_flag('go')


@when_go
def on_go():
    note('went', hookenv.hook_name())


@not_unless('ready')
def guarded():
    pass


@when('endpoint.db.joined')
def joined():
    factory = relation_factory('db')
    unitdata.kv().set('joined', [
        relation_call('expand_name', 'db', None, None, '{endpoint_name}.x'),
        factory.__name__, issubclass(factory, RelationFactory), relation_factory('nope')])
'''


class Unit:
    """The charm above on a fake unit: :meth:`hook` runs ``hooks/<name>`` as Juju does."""

    def __init__(self, juju: FakeJuju):
        self.juju = juju
        charm = juju.charm_dir
        (charm / 'metadata.yaml').write_text(
            'name: names\nrequires:\n  db: {interface: demo-db}\n')
        (charm / 'reactive').mkdir()
        (charm / 'reactive' / 'names.py').write_text(HANDLERS)
        (charm / 'hooks').mkdir()
        for hook in ('install', 'config-changed', 'db-relation-joined'):
            (charm / 'hooks' / hook).write_text(HOOK)
            (charm / 'hooks' / hook).chmod(0o755)

    def hook(self, name: str, **env: str) -> None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'CHARM'))}
        environ.update(self.juju.env(JUJU_DISPATCH_PATH=f'hooks/{name}', **env))
        environ['PYTHONPATH'] = str(REPO)
        done = subprocess.run([sys.executable, str(self.juju.charm_dir / 'hooks' / name)],
                              env=environ, cwd=self.juju.charm_dir, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    def kv(self) -> dict[str, Any]:
        with sqlite3.connect(self.juju.charm_dir / '.unit-state.db') as db:
            return {k: json.loads(v) for k, v in db.execute('SELECT key, data FROM kv')}


def test_layer_decorators_built_on_handler_run_in_the_dispatch(tmp_path: Path) -> None:
    unit = Unit(FakeJuju(tmp_path / 'unit', unit='names/0'))
    unit.hook('install')
    kv = unit.kv()
    # @everyhook tests the phase charms.reactive kept in the store; reactops answers it.
    assert kv['hooks'] == [['install', True, False]]
    assert kv['phase'] == ['other']
    assert kv['cli'] == [[False, True, False, 'a']]
    # @when_go's predicate, flags and post callback are conditions of the handler.
    assert kv['went'] == ['install']
    assert kv['reactive.states.went'] is None and 'reactive.dispatch.phase' not in kv
    warnings = [argv[-1] for argv in unit.juju.argvs('juju-log') if 'WARNING' in argv]
    line = HANDLERS.splitlines().index("@not_unless('ready')") + 1
    assert warnings == [f'reactive/names.py:{line}:guarded called before flag: ready']

    unit.juju.clear_calls()
    unit.hook('config-changed')
    kv = unit.kv()
    assert kv['hooks'][-1] == ['config-changed', False, False]
    # As in charms.reactive: tested in the hooks phase and in the first iteration.
    assert kv['went'] == ['install', 'config-changed', 'config-changed']
    assert not [argv for argv in unit.juju.argvs('juju-log') if 'WARNING' in argv]

    unit.juju.add_relation('db', 3, 'pg', ['pg/0'])
    unit.hook('db-relation-joined', JUJU_RELATION='db', JUJU_RELATION_ID='db:3',
              JUJU_REMOTE_UNIT='pg/0', JUJU_REMOTE_APP='pg')
    assert unit.kv()['joined'] == ['db.x', 'Endpoint', True, None]


# -- in this process -----------------------------------------------------------------------


@pytest.fixture
def shim(fake_juju: FakeJuju) -> Iterator[FakeJuju]:
    (fake_juju.charm_dir / 'metadata.yaml').write_text('name: names\n')
    reactops.legacy.install()
    from charms.reactive.bus import FlagWatch, Handler

    saved = dict(Handler._HANDLERS), set(Handler._forgotten)
    yield fake_juju
    Handler._HANDLERS, Handler._forgotten = saved
    FlagWatch.reset()
    for name in [n for n in sys.modules if n == 'reactive' or n.startswith('reactive.')]:
        del sys.modules[name]
    reactops.legacy.uninstall()


def _handler_module(name: str, source: str) -> types.ModuleType:
    """A handler module as discovery imports one (``reactive.<name>``)."""
    package = sys.modules.setdefault('reactive', types.ModuleType('reactive'))
    module = types.ModuleType(f'reactive.{name}')
    exec(compile(textwrap.dedent(source), f'reactive/{name}.py', 'exec'), vars(module))
    sys.modules[module.__name__] = module
    setattr(package, name, module)
    return module


def test_handler_objects_of_functions(shim: FakeJuju) -> None:
    from charms.reactive import set_flag
    from charms.reactive.bus import Handler

    from reactops.reactive import ReactiveRuntime, activate

    module = _handler_module('demo', """
        from charms.reactive import when, only_once
        seen = []

        @when('db.ready')
        def use_db(*args):
            seen.append(('use_db', args))

        @only_once
        def once():
            seen.append(('once', ()))
    """)
    with activate(ReactiveRuntime()):
        handlers = Handler.get_handlers()
        assert [h.id().split(':')[-1] for h in handlers][-2:] == ['use_db', 'once']
        use_db = Handler.get(module.use_db)
        assert use_db is handlers[-2] and use_db.id().startswith('reactive/demo.py:')
        assert not use_db.test()
        set_flag('db.ready')
        assert use_db.test() and not use_db.has_args
        use_db.add_args(iter(['db']))
        use_db.invoke()
        use_db.invoke()  # the arguments were read once, as charms.reactive did
        once = Handler.get(module.once)
        assert once.test()
        once.invoke()
        assert not once.test()  # @only_once remembered it ran
        assert module.seen == [('use_db', ('db',)), ('use_db', ('db',)), ('once', ())]
        Handler.clear()
        assert Handler.get_handlers() == []


def test_any_hook_outside_a_dispatch_is_hookenv_hook_name(shim: FakeJuju,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from charmhelpers.core import hookenv
    from charms.reactive.helpers import any_hook

    (shim.charm_dir / 'metadata.yaml').write_text(
        'name: names\nrequires:\n  db: {interface: pgsql}\n')
    monkeypatch.setenv('JUJU_HOOK_NAME', 'db-relation-changed')
    assert hookenv.hook_name() == 'db-relation-changed'
    assert any_hook('{requires:pgsql}-relation-{joined,changed}')
    assert any_hook('install', 'db-relation-changed') and not any_hook('install')
    assert not any_hook('{provides:pgsql}-relation-changed')
    monkeypatch.setenv('JUJU_HOOK_NAME', '')  # an action: no hook matches
    assert hookenv.hook_name() == '' and not any_hook('db-relation-changed')


def test_flag_watch_follows_the_iterations(shim: FakeJuju) -> None:
    from charms.reactive.bus import FlagWatch

    assert FlagWatch.key == 'reactive.state_watch'
    FlagWatch.reset()
    assert FlagWatch.watch('h', ['a'])  # iteration 0 tests everything
    FlagWatch.iteration(1)
    FlagWatch.change('a')
    assert not FlagWatch.watch('h', ['a'])  # not until the iteration's changes commit
    FlagWatch.commit()
    assert FlagWatch.watch('h', ['a', 'b']) and not FlagWatch.watch('h', ['b'])


def test_external_handlers_run_by_hand(shim: FakeJuju, tmp_path: Path) -> None:
    from charms.reactive.bus import BrokenHandlerException, ExternalHandler

    script = shim.charm_dir / 'reactive' / 'notify.sh'
    script.parent.mkdir()
    script.write_text('#!/bin/sh\nif [ "$1" = --test ]; then echo -n hello; exit 0; fi\n'
                      f'echo "$2" > {tmp_path / "invoked"}\n')
    script.chmod(0o755)
    handler = ExternalHandler.register(str(script))
    assert ExternalHandler.register(str(script)) is handler
    assert handler.test() and handler.id() == 'reactive/notify.sh "hello"'
    handler.invoke()
    assert (tmp_path / 'invoked').read_text() == 'hello\n'
    broken = tmp_path / 'broken'
    broken.write_bytes(b'not a script')
    broken.chmod(0o755)
    with pytest.raises(BrokenHandlerException, match='only handler files may be executable'):
        ExternalHandler(str(broken)).test()


def test_relation_names_of_charms_reactive(shim: FakeJuju) -> None:
    from charms.reactive import Endpoint, RelationBase
    from charms.reactive.relations import (
        ALL,
        TOGGLE,
        AutoAccessors,
        RelationFactory,
        relation_call,
    )

    from reactops.reactive import ReactiveRuntime, activate

    class Client(RelationBase):
        pass

    assert issubclass(Endpoint, RelationFactory) and issubclass(Client, RelationFactory)
    assert ALL is not TOGGLE and repr(TOGGLE) == 'TOGGLE'

    class Legacy(metaclass=AutoAccessors):
        auto_accessors = ['private-address', 'port']

        def get_remote(self, key: str) -> str:
            return f'<{key}>'

    assert Legacy().private_address() == '<private-address>' and Legacy().port() == '<port>'
    with activate(ReactiveRuntime()):
        with pytest.raises(ValueError, match='relation_name or flag'):
            relation_call('conversations')
        with pytest.raises(ValueError, match='Relation not found: nope'):
            relation_call('conversations', flag='nope')
    with pytest.raises(NotImplementedError):
        RelationFactory.from_name('db')


def test_cached_key_list_keeps_its_items_in_the_store(shim: FakeJuju) -> None:
    from charmhelpers.core import unitdata
    from charms.reactive.endpoints import CachedKeyList

    from reactops.reactive import ReactiveRuntime, activate

    class Item:
        def __init__(self, name: str):
            self.name = name

        def _serialize(self) -> str:
            return self.name

    with activate(ReactiveRuntime()):
        items = CachedKeyList('my.items', [Item('a')], 'name')
        items.append(Item('b'))
        items.extend([Item('c'), Item('d')])
        items.remove(items['c'])
        assert items.pop().name == 'd'
        assert unitdata.kv().get('my.items') == ['a', 'b']
        again = CachedKeyList.load('my.items', Item, 'name')
        assert again.keys() == ['a', 'b'] and 'b' in again
        again.clear()
        assert unitdata.kv().get('my.items') == []


def test_data_views_say_whether_they_were_written(shim: FakeJuju) -> None:
    from charms.reactive.endpoints import JSONUnitDataView, UnitDataView

    bag: dict[str, str] = {'a': '1'}
    raw = UnitDataView(bag, owner='our bag', writeable=True)
    view = JSONUnitDataView(raw)
    assert (raw.data, view.data, view.raw_data) == (bag, raw, raw)
    assert not view.modified and view.writeable
    view['b'] = {'x': 1}
    assert raw.modified and view.modified and bag['b'] == '{"x": 1}'


def test_tracers_log_what_they_are_told(shim: FakeJuju) -> None:
    from charms.reactive import set_flag
    from charms.reactive.trace import LogTracer, NullTracer, install_tracer, tracer

    from reactops.reactive import ReactiveRuntime, activate

    assert isinstance(tracer(), NullTracer)
    install_tracer(LogTracer())
    try:
        with activate(ReactiveRuntime()):
            set_flag('x')
            tracer().start_dispatch()
            tracer().set_flag('y')
    finally:
        install_tracer(NullTracer())
    logs = [argv[-1] for argv in shim.argvs('juju-log') if 'DEBUG' in argv]
    assert logs == ['tracer>\ntracer: starting handler dispatch, 1 flags set\n'
                    'tracer: set flag x', 'tracer: set flag y']


def test_request_response_names(shim: FakeJuju) -> None:
    from charms.reactive.patterns.request_response import (
        BaseRequest,
        BaseResponse,
        Field,
        FieldFinders,
        FieldHolderDictProxy,
        RequesterEndpoint,
        SetNameBackport,
    )

    class Response(BaseResponse):
        cert = Field('the certificate')

    class Request(BaseRequest):
        RESPONSE_CLASS = Response
        name = Field('the common name')

    class Requires(RequesterEndpoint):
        REQUEST_CLASS = Request

    assert type(Request) is SetNameBackport and type(Requires) is FieldFinders
    assert issubclass(Request, FieldHolderDictProxy) and issubclass(Response, dict)
    assert callable(Requires.response_by_name) and repr(Request.name) == '<Field Request.name>'
    assert Request.response is None and Response.request is None

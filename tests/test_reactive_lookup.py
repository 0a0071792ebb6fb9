"""Handlers looked up rather than tested: a collected module's functions give the same
dispatch as the same functions registered one by one, and a dispatch touches only the
handlers that may be ready."""

from __future__ import annotations

import functools
import random
import sys
import textwrap
import types
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from reactops.reactive import Dispatcher, HandlerRegistry, ReactiveRuntime, activate
from reactops.reactive.registry import Handler
from reactops.storage import SQLiteStorage

FLAGS = ('a', 'b', 'c', 'd', 'e', 'config.x')
KINDS = ('when', 'when', 'when_not', 'when_any', 'when_not_all', 'when_all', 'only_once',
         'hook')
_counter = iter(range(10**9))


@pytest.fixture
def module_factory() -> Iterator[Callable[[str], types.ModuleType]]:
    """Make a module from source under a fresh name (removed from sys.modules after)."""
    made: list[str] = []

    def make(source: str) -> types.ModuleType:
        name = f'reactive_lookup_{next(_counter)}'
        module = types.ModuleType(name)
        sys.modules[name] = module
        made.append(name)
        exec(compile(textwrap.dedent(source), f'<{name}>', 'exec'), module.__dict__)
        return module

    yield make
    for name in made:
        sys.modules.pop(name, None)


def _random_source(rng: random.Random, count: int) -> str:
    lines = ['from reactops.reactive import *', 'RAN = []', '']
    for i in range(count):
        decorators = []
        for _ in range(rng.randint(1, 2)):
            kind = rng.choice(KINDS)
            if kind == 'only_once':
                decorators.append('@only_once')
            elif kind == 'hook':
                decorators.append(f"@hook({rng.choice(['install', 'update-status'])!r})")
            else:
                flags = rng.sample(FLAGS, rng.randint(1, 2))
                options = ', priority=1' if rng.random() < 0.1 else ''
                decorators.append(f'@{kind}({", ".join(map(repr, flags))}{options})')
        body = [f'    RAN.append({i})']
        for _ in range(rng.randint(0, 2)):
            action = rng.choice(['set_flag', 'clear_flag'])
            body.append(f'    {action}({rng.choice(FLAGS[:5])!r})')
        lines += [*decorators, f'def h{i}():', *body, '']
    return '\n'.join(lines)


def _run(registry: HandlerRegistry, flags: list[str], hook_name: str) -> tuple[Any, ...]:
    runtime = ReactiveRuntime(SQLiteStorage(':memory:'), hook_name=hook_name)
    with activate(runtime):
        for flag in flags:
            runtime.set(flag)
        runtime.take_changes()
        dispatcher = Dispatcher(registry, runtime, max_iterations=30)
        try:
            recorder = dispatcher.dispatch()
        except Exception as error:  # a loop: the same error both ways
            return ('error', type(error).__name__, sorted(runtime.flags))
    # Ids name the module's file, which differs between the two modules: compare names.
    return ([i.rsplit(':', 1)[1] for i in recorder.handlers_run], sorted(runtime.flags))


class EveryHandlerTested(HandlerRegistry):
    """The rule looking up stands for: iteration 0 tests every handler."""

    def may_be_ready(self, set_flags: Iterable[str]) -> list[Handler]:
        return self.ordered()


@pytest.mark.parametrize('seed', range(40))
def test_a_collected_module_dispatches_as_its_functions_added_one_by_one(
        seed: int, module_factory: Callable[[str], types.ModuleType]) -> None:
    rng = random.Random(seed)
    source = _random_source(rng, rng.randint(3, 14))
    flags = rng.sample(FLAGS, rng.randint(0, 3))
    hook_name = rng.choice(['install', 'update-status', 'config-changed'])

    lazy_module = module_factory(source)
    lazy = _run(HandlerRegistry.collect([lazy_module]), flags, hook_name)
    eager_module = module_factory(source)
    registry = HandlerRegistry()
    for name in sorted((n for n in vars(eager_module) if n[:1] == 'h' and n[1:].isdigit()),
                       key=lambda n: int(n[1:])):
        registry.add_function(getattr(eager_module, name))
    eager = _run(registry, flags, hook_name)
    every_module = module_factory(source)
    every = _run(EveryHandlerTested.collect([every_module]), flags, hook_name)
    assert lazy == eager == every, source
    assert lazy_module.RAN == eager_module.RAN == every_module.RAN


def test_one_ready_handler_among_many_is_the_only_one_tested(
        module_factory: Callable[[str], types.ModuleType]) -> None:
    module = module_factory('\n'.join(
        f"@when('f{i}')\ndef h{i}():\n    RAN.append({i})\n" for i in range(2000))
        .join(['from reactops.reactive import when\nRAN = []\n', '']))
    registry = HandlerRegistry.collect([module])
    runtime = ReactiveRuntime(SQLiteStorage(':memory:'), hook_name='update-status')
    with activate(runtime):
        runtime.set('f1234')
        runtime.set('unrelated')
        runtime.take_changes()
        dispatcher = Dispatcher(registry, runtime)
        dispatcher.dispatch()
    assert module.RAN == [1234]
    assert dispatcher.handler_tests == 1
    assert len(registry) == 2000  # the whole picture is still there when asked


def test_handlers_that_need_no_flag_are_tested_every_time(
        module_factory: Callable[[str], types.ModuleType]) -> None:
    module = module_factory("""
        from reactops.reactive import hook, only_once, set_flag, when, when_not, when_not_all
        RAN = []

        @when_not('installed')
        def install():
            RAN.append('install')
            set_flag('installed')

        @when_not_all('installed', 'configured')
        def configure():
            RAN.append('configure')
            set_flag('configured')

        @only_once
        def once():
            RAN.append('once')

        @hook('update-status')
        def status():
            RAN.append('status')

        @when('installed', 'configured')
        def ready():
            RAN.append('ready')
        """)
    registry = HandlerRegistry.collect([module])
    runtime = ReactiveRuntime(SQLiteStorage(':memory:'), hook_name='update-status')
    with activate(runtime):
        Dispatcher(registry, runtime).dispatch()
    # @only_once alone has no phase of its own: it runs with the hooks phase, as before.
    assert module.RAN == ['once', 'status', 'install', 'configure', 'ready']


def test_a_wrapped_or_renamed_handler_is_registered_under_its_module_name(
        module_factory: Callable[[str], types.ModuleType]) -> None:
    helpers = module_factory("""
        from reactops.reactive import when
        RAN = []

        @when('go')
        def imported():
            RAN.append('imported')
        """)
    module = module_factory(f"""
        import functools
        from reactops.reactive import when
        from {helpers.__name__} import imported
        RAN = []

        def logged(func):
            @functools.wraps(func)
            def wrapper():
                RAN.append('wrapped')
                return func()
            return wrapper

        @logged
        @when('go')
        def wrapped():
            RAN.append('inner')

        def original():
            RAN.append('renamed')
        alias = when('go')(original)
        del original

        class Holder:
            @when('go')
            def method(self):
                RAN.append('method')
        """)
    registry = HandlerRegistry.collect([module])
    runtime = ReactiveRuntime(SQLiteStorage(':memory:'), hook_name='update-status')
    with activate(runtime):
        runtime.set('go')
        runtime.take_changes()
        Dispatcher(registry, runtime).dispatch()
    # The import is registered where it was defined (not collected here); the method is
    # not a module function; the wrapper runs in place of the function it wraps.
    assert module.RAN == ['wrapped', 'inner', 'renamed']
    assert helpers.RAN == []
    assert [h.name for h in registry] == ['wrapped', 'original']


def test_a_lazy_flag_family_is_computed_when_a_handler_requires_one_of_its_flags(
        module_factory: Callable[[str], types.ModuleType]) -> None:
    module = module_factory("""
        from reactops.reactive import when
        RAN = []

        @when('config.changed.port')
        def port():
            RAN.append('port')
        """)
    computed: list[str] = []

    def family(runtime: ReactiveRuntime) -> None:
        computed.append('config.')
        runtime.set('config.changed.port')

    registry = HandlerRegistry.collect([module])
    runtime = ReactiveRuntime(SQLiteStorage(':memory:'), hook_name='config-changed')
    runtime.add_lazy_family('config.', family)
    runtime.add_lazy_family('leadership.', lambda rt: computed.append('leadership.'))
    with activate(runtime):
        Dispatcher(registry, runtime).dispatch()
    assert module.RAN == ['port']
    assert computed == ['config.']  # no registered handler requires a leadership flag


def test_a_module_reimported_under_the_same_name_registers_only_its_new_functions(
        module_factory: Callable[[str], types.ModuleType]) -> None:
    first = module_factory("""
        from reactops.reactive import when_not
        RAN = []

        @when_not('x')
        def old():
            RAN.append('old')
        """)
    second = types.ModuleType(first.__name__)  # a second charm's module of the same name
    exec(compile('from reactops.reactive import when_not\nRAN = []\n\n'
                 '@when_not("x")\ndef new():\n    RAN.append("new")\n', '<second>', 'exec'),
         second.__dict__)
    registry = HandlerRegistry.collect([second])
    runtime = ReactiveRuntime(SQLiteStorage(':memory:'), hook_name='update-status')
    with activate(runtime):
        Dispatcher(registry, runtime).dispatch()
    assert (first.RAN, second.RAN) == ([], ['new'])


def test_functools_partial_and_other_callables_are_not_mistaken_for_handlers(
        module_factory: Callable[[str], types.ModuleType]) -> None:
    module = module_factory("""
        import functools
        from reactops.reactive import when
        RAN = []

        @when('go')
        def real(tag='real'):
            RAN.append(tag)

        partial = functools.partial(real, 'partial')
        """)
    registry = HandlerRegistry.collect([module])
    assert [h.name for h in registry] == ['real']
    assert isinstance(module.partial, functools.partial)

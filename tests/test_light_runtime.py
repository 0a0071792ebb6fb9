"""The pieces that keep heavy standard modules out of every hook (issue 9).

Records instead of dataclasses, code-object signatures instead of ``inspect``, hook tools
started with ``os.posix_spawn`` instead of ``subprocess``, and loggers that import
``logging`` only when a record will be emitted. Each must behave as what it replaces.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import pytest
from charmrun import CharmUnit

from reactops._private import hooktool_runner as runner
from reactops._private.callshape import accepts_positional
from reactops._private.record import dataclass, field, record_fields
from reactops.jujucontext import JujuContext, JujuVersion
from reactops.meta import ConfigMeta

# -- records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    ORIGIN: ClassVar[str] = 'origin'


def test_a_record_is_built_like_a_dataclass() -> None:
    assert Point(1) == Point(x=1, y=0, tags=[])
    assert Point(1, 2, ['a']).tags == ['a']
    assert Point(1).tags is not Point(1).tags  # a fresh default per instance
    assert record_fields(Point) == record_fields(Point(1)) == ('x', 'y', 'tags')
    assert Point.__match_args__ == ('x', 'y', 'tags')
    assert repr(Point(1, 2)) == 'Point(x=1, y=2, tags=[])'
    with pytest.raises(TypeError, match=r"missing required argument\(s\): 'x'"):
        Point()
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(1, z=3)
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        Point(1, x=2)
    with pytest.raises(TypeError, match='takes 3 positional arguments but 4'):
        Point(1, 2, [], 4)


def test_a_record_is_frozen_hashable_and_replaceable() -> None:
    point = Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.y
    assert hash(Point(1, 2, ())) == hash(Point(1, 2, ()))
    with pytest.raises(TypeError):
        hash(point)  # a list field, as with a frozen dataclass
    assert point.__replace__(y=7) == Point(1, 7)
    if sys.version_info >= (3, 13):
        assert copy.replace(point, x=0) == Point(0, 2)
    assert Point(1) != (1, 0, [])


def test_a_record_shows_its_fields_as_its_signature() -> None:
    import inspect

    assert str(inspect.signature(Point)) == (
        "(x: 'int', y: 'int' = 0, tags: 'list[str]' = <factory>) -> None")
    assert list(inspect.signature(JujuContext).parameters)[:3] == [
        'dispatch_path', 'hook_name', 'model_name']


def test_a_record_with_a_required_field_after_a_default_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default"):
        @dataclass(frozen=True)
        class Bad:
            a: int = 0
            b: int


def test_the_hook_records_keep_their_dataclass_behaviour() -> None:
    context = JujuContext._from_dict({'JUJU_UNIT_NAME': 'app/0', 'JUJU_VERSION': '3.6.1',
                                      'JUJU_CHARM_DIR': '/tmp'})
    assert context.unit_name == 'app/0' and context.version == JujuVersion('3.6.1')
    assert context == JujuContext._from_dict({'JUJU_UNIT_NAME': 'app/0',
                                              'JUJU_VERSION': '3.6.1',
                                              'JUJU_CHARM_DIR': '/tmp'})
    assert hash(context) == hash(context.__replace__())
    assert JujuContext().version == JujuVersion('0.0.0')
    assert repr(context).startswith("JujuContext(dispatch_path='', hook_name='', ")
    option = ConfigMeta('port', 'int', 8080)
    assert option == ConfigMeta(name='port', type='int', default=8080)
    with pytest.raises(dataclasses.FrozenInstanceError):
        option.default = 1


# -- call shapes --------------------------------------------------------------------------

class Observer:
    def plain(self, event: object) -> None: ...

    def extra_default(self, event: object, more: int = 0) -> None: ...

    def star(self, *args: object) -> None: ...

    def none(self) -> None: ...

    def two(self, event: object, other: object) -> None: ...

    def keyword_only(self, event: object, *, key: str) -> None: ...

    def keyword_default(self, event: object, *, key: str = '') -> None: ...

    @functools.wraps(plain)
    def wrapped(self, *args: object, **kwargs: object) -> None: ...


@pytest.mark.parametrize(('name', 'exactly_one', 'takes_one'), [
    ('plain', True, True), ('extra_default', True, True), ('star', True, True),
    ('none', False, False), ('two', False, True), ('keyword_only', False, True),
    ('keyword_default', True, True), ('wrapped', True, True),
])
def test_call_shapes_agree_with_inspect(name: str, exactly_one: bool, takes_one: bool) -> None:
    import inspect

    method = getattr(Observer(), name)
    assert accepts_positional(method, 1, exactly=True) is exactly_one
    assert accepts_positional(method, 1, exactly=False) is takes_one
    try:
        inspect.signature(method).bind(object())
        binds = True
    except TypeError:
        binds = False
    assert binds is exactly_one


def test_call_shapes_of_functions_and_other_callables() -> None:
    def handler() -> None: ...

    def handler_with(flag: str) -> None: ...

    assert not accepts_positional(handler, 1, exactly=False)
    assert accepts_positional(handler_with, 1, exactly=False)
    assert accepts_positional(functools.partial(handler_with), 1, exactly=True)
    assert not accepts_positional(functools.partial(handler_with, 'x'), 1, exactly=True)
    assert accepts_positional(len, 1, exactly=True)  # a builtin: inspect answers


# -- hook tools without subprocess --------------------------------------------------------

def _tool(tmp_path: Path, name: str, script: str) -> Path:
    path = tmp_path / name
    path.write_text('#!/bin/sh\n' + textwrap.dedent(script))
    path.chmod(0o755)
    return path


def test_a_tool_gets_its_input_and_both_streams_are_read_whole(tmp_path: Path) -> None:
    # Far more than a pipe holds, both ways, so a naive read or write would hang.
    tool = _tool(tmp_path, 'big', """\
        cat > "$1"
        head -c 300000 /dev/zero | tr '\\0' e >&2
        head -c 300000 /dev/zero | tr '\\0' o
        exit 3
        """)
    received = tmp_path / 'received'
    fds_before = len(os.listdir('/proc/self/fd'))
    code, out, err = runner._spawn([str(tool), str(received)], 'x' * 1_000_000)
    assert (code, len(out), len(err)) == (3, 300_000, 300_000)
    assert set(out) == {'o'} and set(err) == {'e'}
    assert received.stat().st_size == 1_000_000
    assert len(os.listdir('/proc/self/fd')) == fds_before  # no descriptor left open


def test_a_tool_that_echoes_its_input_as_it_reads_does_not_deadlock(tmp_path: Path) -> None:
    # Both pipes fill at once: a write bigger than what poll promised would hang here.
    tool = _tool(tmp_path, 'echo-back', 'cat\n')
    code, out, err = runner._spawn([str(tool)], 'z' * 1_000_000)
    assert (code, len(out), err) == (0, 1_000_000, '')


def test_a_tool_reads_dev_null_when_given_no_input(tmp_path: Path) -> None:
    tool = _tool(tmp_path, 'reader', 'cat; printf "a\\r\\nb\\rc"; echo oops >&2\n')
    assert runner._spawn([str(tool)], None) == (0, 'a\nb\nc', 'oops\n')


def test_a_tool_that_ignores_its_input_does_not_hang_the_hook(tmp_path: Path) -> None:
    tool = _tool(tmp_path, 'deaf', 'exec 0<&-; echo done\n')
    assert runner._spawn([str(tool)], 'y' * 1_000_000) == (0, 'done\n', '')


def test_a_tool_killed_by_a_signal_reports_it_as_subprocess_would(tmp_path: Path) -> None:
    tool = _tool(tmp_path, 'killed', 'kill -TERM $$\n')
    assert runner._spawn([str(tool)], None)[0] == -15


def test_tools_are_found_on_path_as_shutil_which_finds_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    (tmp_path / 'a').mkdir()
    (tmp_path / 'b').mkdir()
    (tmp_path / 'a' / 'config-get').write_text('not executable')
    (tmp_path / 'a' / 'status-get').mkdir()  # a directory is no tool
    _tool(tmp_path / 'b', 'config-get', 'echo {}\n')
    _tool(tmp_path / 'b', 'status-get', 'echo {}\n')
    monkeypatch.setenv('PATH', f'{tmp_path / "a"}{os.pathsep}{tmp_path / "b"}')
    for name in ('config-get', 'status-get', 'relation-get'):
        assert runner._find_on_path(name) == shutil.which(name)
    assert runner._find_on_path(str(tmp_path / 'b' / 'config-get')) == str(
        tmp_path / 'b' / 'config-get')


def test_a_process_without_stdin_still_runs_tools(tmp_path: Path) -> None:
    # With fd 0 closed a pipe takes its number; the runner falls back to subprocess.
    import subprocess

    tool = _tool(tmp_path, 'echoer', 'cat; echo out\n')
    code = ('import sys; from reactops._private import hooktool_runner as r; '
            f'print(r._spawn([{str(tool)!r}], "in"))')
    result = subprocess.run([sys.executable, '-c', code], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, check=False,
                            preexec_fn=lambda: os.close(0))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(0, 'inout\\n', '')"


# -- lazy logging -------------------------------------------------------------------------

METADATA = 'name: quiet\n'
CHARM = """\
import reactops as ops


class QuietCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_install(self, event):
        import sys
        self.unit.status = ops.ActiveStatus('logging' in sys.modules and 'loaded' or 'no')

    def _on_update_status(self, event):
        import gc
        import os

        class Ring:  # garbage in a reference cycle, with a finaliser that leaves a mark
            def __del__(self):
                open(os.environ['RING_MARK'], 'w').write(str(gc.get_freeze_count() > 0))

        ring = Ring()
        ring.me = ring
        del ring
        import logging  # imported late: the root logger is routed to juju-log even so
        logging.getLogger('quiet').info('late hello')
        logging.getLogger('quiet').debug('not at the default level')


if __name__ == '__main__':
    ops.main(QuietCharm)
"""


@pytest.fixture
def quiet_unit(tmp_path: Path) -> CharmUnit:
    source = tmp_path / 'source'
    (source / 'src').mkdir(parents=True)
    (source / 'metadata.yaml').write_text(METADATA)
    (source / 'src' / 'charm.py').write_text(CHARM)
    return CharmUnit(tmp_path / 'unit', source, 'quiet/0')


def test_a_hook_that_logs_nothing_never_imports_logging(quiet_unit: CharmUnit) -> None:
    argvs = quiet_unit.ok('hooks/install')
    assert ['status-set', '--application=false', 'active', '--', 'no'] in argvs


def test_logging_imported_late_still_reaches_juju_log(quiet_unit: CharmUnit,
                                                      tmp_path: Path) -> None:
    mark = tmp_path / 'ring-collected'
    quiet_unit.ok('hooks/update-status', RING_MARK=str(mark))
    assert quiet_unit.logs() == ['late hello']
    # What was imported before main() is frozen for the cycle collector; garbage the
    # dispatch makes is still collected (and finalised) by the time the process ends.
    assert mark.read_text() == 'True'
    quiet_unit.ok('hooks/update-status', JUJU_DEBUG='1', RING_MARK=str(mark))
    assert quiet_unit.logs('DEBUG')[-1] == 'not at the default level'


def test_a_warning_of_reactops_itself_imports_logging_and_reaches_juju_log(
        quiet_unit: CharmUnit) -> None:
    legacy = quiet_unit.juju.charm_dir / 'hooks' / 'install'
    legacy.parent.mkdir(exist_ok=True)
    legacy.write_text('#!/bin/sh\n')  # not executable: reactops warns and skips it
    quiet_unit.ok('hooks/install')
    assert quiet_unit.logs('WARNING') == [
        'Legacy hooks/install exists but is not executable.']


def test_a_lazy_logger_is_a_logging_logger_once_logging_is_loaded(
        caplog: pytest.LogCaptureFixture) -> None:
    from reactops._private.lazylog import get_logger

    logger: Any = get_logger('reactops.test')
    assert logger is get_logger('reactops.test')
    with caplog.at_level('DEBUG', logger='reactops.test'):
        logger.debug('one %s', 'two')
        logger.warning('three')
    assert [(r.levelname, r.getMessage(), r.funcName) for r in caplog.records] == [
        ('DEBUG', 'one two', 'test_a_lazy_logger_is_a_logging_logger_once_logging_is_loaded'),
        ('WARNING', 'three', 'test_a_lazy_logger_is_a_logging_logger_once_logging_is_loaded')]


# -- typing stand-ins ---------------------------------------------------------------------

def test_the_typing_stand_ins_do_at_run_time_what_typing_does() -> None:
    import subprocess

    code = textwrap.dedent("""\
        import sys
        from reactops._private.typing import Generic, Protocol, TypeVar, cast, overload
        T = TypeVar('T')
        class Box(Generic[T]):
            pass
        class Sized(Protocol):
            def size(self) -> int: ...
        @overload
        def f(x: int) -> int: ...
        def f(x):
            return x * 2
        assert Box[int] is Box and isinstance(Box(), Box)
        assert cast('list[int]', 'x') == 'x' and f(2) == 4
        class Impl(Sized):
            def size(self):
                return 3
        assert Impl().size() == 3
        print('typing' in sys.modules)
        import reactops.model as model, typing
        assert typing.get_args(model.StatusName) == (
            'active', 'blocked', 'maintenance', 'waiting', 'error', 'unknown')
        """)
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'False'


def test_data_hashes_are_hashlib_s_without_loading_openssl() -> None:
    import hashlib

    from reactops.reactive.helpers import _hexdigest

    for hash_type in ('md5', 'sha1', 'sha256'):
        assert _hexdigest(hash_type, b'{"a": 1}') == hashlib.new(hash_type,
                                                                  b'{"a": 1}').hexdigest()


# -- the stored trace -----------------------------------------------------------------------

def test_the_compact_stored_trace_reads_back_as_the_recorder_shows_it() -> None:
    import json

    from reactops.reactive._trace import DispatchRecorder, load_trace

    class FakeHandler:
        def __init__(self, id: str):
            self.id = id

    recorder = DispatchRecorder('update-status')
    recorder.flag_changed('auto.flag', True, None)  # outside any handler
    first, second = FakeHandler('reactive/a.py:3:first'), FakeHandler('reactive/a.py:9:second')
    recorder.iteration = 1
    recorder.handler_started(first)
    recorder.flag_changed('x', True, None)
    recorder.flag_changed('auto.flag', False, None)
    recorder.handler_finished(first)
    recorder.iteration = 2
    recorder.handler_started(second)
    recorder.handler_failed(second, ValueError('boom'))
    stored = json.loads(recorder.to_text())
    assert stored['format'] == 2 and all(isinstance(step, list) for step in stored['steps'])
    assert load_trace(stored) == recorder.to_json() == {
        'hook': 'update-status',
        'steps': [{'set': 'auto.flag'},
                  {'run': 'reactive/a.py:3:first', 'iteration': 1},
                  {'set': 'x', 'by': 'reactive/a.py:3:first'},
                  {'clear': 'auto.flag', 'by': 'reactive/a.py:3:first'},
                  {'run': 'reactive/a.py:9:second', 'iteration': 2},
                  {'failed': 'reactive/a.py:9:second', 'error': 'ValueError: boom'}],
        'written_by': {'reactive/a.py:3:first': ['auto.flag', 'x']}}
    older = {'hook': 'install', 'steps': [{'run': 'h', 'iteration': 1}], 'written_by': {}}
    assert load_trace(older) == older  # kept by an earlier reactops: read as it is
    assert load_trace(None) is None and load_trace('junk') is None
    damaged = {**stored, 'steps': [['run'], 'x', ['unknown', 1, 2], ['set', 'y', None]]}
    assert load_trace(damaged) == {'hook': 'update-status', 'steps': [{'set': 'y'}],
                                   'written_by': {}}


def test_an_interrupted_tool_call_stops_the_tool(tmp_path: Path) -> None:
    import subprocess

    pid_file = tmp_path / 'tool.pid'
    tool = _tool(tmp_path, 'slow', f'echo $$ > {pid_file}; exec sleep 30\n')
    code = textwrap.dedent(f"""\
        import os, signal, threading, time
        from reactops._private import hooktool_runner as r
        # A job started in the background by a non-interactive shell inherits SIGINT ignored.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        started = time.monotonic()
        try:
            r._spawn([{str(tool)!r}], None)
        except KeyboardInterrupt:
            print(round(time.monotonic() - started))
        """)
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) < 10  # the Ctrl-C stopped the call at once...
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)  # ... and the tool is gone, not left running

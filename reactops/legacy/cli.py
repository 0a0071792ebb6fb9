"""The ``charms.reactive`` command, for external (e.g. bash) handlers and ``juju exec``.

``python -m reactops.legacy.cli <command> [args]``; during a legacy dispatch an executable
named ``charms.reactive`` running this is first on ``PATH``. Commands (charms.reactive's
names): ``set_flag [--value V] F``, ``clear_flag F``, ``toggle_flag F should_set``,
``is_flag_set F``, ``all_flags_set F..``, ``any_flags_set F..``, ``get_flags``,
``get_unset_flags F..``, the deprecated ``set_state``/``remove_state``/``is_state``/
``all_states``/``any_states``/``get_states``, the tests ``hook``, ``any_hook``, ``when``,
``when_all``, ``when_any``, ``when_not``, ``when_none``, ``when_not_all``, ``only_once``,
and ``mark_invoked`` and ``test`` (the combined test of bash handlers). Test commands
print nothing and exit 0 (true) or 1 (false); lists print one item per line.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ._bridge import Bridge, open_bridge

__all__ = ['main']

_TRUE = {'1', 'true', 'yes', 'on', 't', 'y'}


def _when(kind: str) -> Callable[[Bridge, list[str]], bool]:
    def check(bridge: Bridge, flags: list[str]) -> bool:
        bridge.tested(flags)
        if bridge.phase != 'other':
            return False
        present = [flag in bridge.flags for flag in flags]
        return {'all': all(present), 'any': any(present), 'none': not any(present),
                'not_all': not all(present)}[kind]
    return check


_WHEN: dict[str, Callable[[Bridge, list[str]], bool]] = {
    'when': _when('all'), 'when_all': _when('all'), 'when_any': _when('any'),
    'when_not': _when('none'), 'when_none': _when('none'), 'when_not_all': _when('not_all'),
}


def _hook_matches(bridge: Bridge, patterns: Sequence[str]) -> bool:
    if bridge.phase != 'hooks':
        return False
    from ..reactive.predicates import expand_hook_patterns

    meta = None
    if any('{' in p and ':' in p for p in patterns):
        from ..meta import CharmMeta
        from ._session import charm_dir

        meta = CharmMeta.from_charm_root(charm_dir())
    return bridge.hook in expand_hook_patterns(patterns, meta)


def _test(bridge: Bridge, specs: Sequence[str]) -> str:
    passed = []
    for spec in specs:
        parts = shlex.split(spec)
        if len(parts) < 2:
            raise SystemExit(f'charms.reactive test: bad handler spec {spec!r} (expected '
                             "'NAME ID [TEST ARGS]...')")
        name, handler_id = parts[:2]
        ok = True
        for test_name, raw_args in zip(parts[2::2], parts[3::2], strict=False):
            args = shlex.split(raw_args)
            if test_name in _WHEN:
                ok = _WHEN[test_name](bridge, args) and ok
            elif test_name == 'hook':
                ok = _hook_matches(bridge, args) and ok
            elif test_name == 'only_once':
                ok = not bridge.was_invoked(handler_id) and ok
            else:
                raise SystemExit(f'charms.reactive test: {test_name} is not supported by '
                                 'reactops in external handlers (see docs/porting.md)')
        if ok:
            passed.append(name)
    return ','.join(passed)


def _run(bridge: Bridge, command: str, args: list[str]) -> tuple[Any, bool]:
    """The command's output and whether it is a test (exit status carries the answer)."""
    flags = bridge.flags
    if command in ('set_flag', 'set_state'):
        value = None
        if args[:1] == ['--value']:
            value, args = args[1], args[2:]
        bridge.set_flag(args[0], value)
        return None, False
    if command in ('clear_flag', 'remove_state'):
        bridge.clear_flag(args[0])
        return None, False
    if command == 'toggle_flag':
        if args[1].lower() in _TRUE:
            bridge.set_flag(args[0])
        else:
            bridge.clear_flag(args[0])
        return None, False
    if command in ('is_flag_set', 'is_state', 'all_flags_set', 'all_states'):
        return all(f in flags for f in args), True
    if command in ('any_flags_set', 'any_states'):
        return any(f in flags for f in args), True
    if command == 'get_flags':
        return sorted(flags), False
    if command == 'get_unset_flags':
        return sorted(f for f in args if f not in flags), False
    if command == 'get_states':
        return {k: flags[k] for k in sorted(flags)}, False
    if command in _WHEN:
        return _WHEN[command](bridge, args), True
    if command in ('hook', 'any_hook'):
        return _hook_matches(bridge, args), True
    if command == 'only_once':
        return not bridge.was_invoked(args[0]), True
    if command == 'mark_invoked':
        for handler_id in args:
            bridge.mark_invoked(handler_id)
        return None, False
    if command == 'test':
        return _test(bridge, args), False
    raise SystemExit(f'charms.reactive: unknown or unsupported command {command!r} '
                     '(see docs/porting.md for the commands reactops provides)')


def _print(output: Any, fmt: str) -> None:
    if output is None:
        return
    if fmt == 'json':
        print(json.dumps(output))
    elif isinstance(output, list):
        sys.stdout.write('\n'.join(map(str, output)))
    elif isinstance(output, dict):
        sys.stdout.write('\n'.join(f'{k}: {json.dumps(v)}' for k, v in output.items()))
    else:
        sys.stdout.write(str(output))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is the answer of test commands."""
    args = list(sys.argv[1:] if argv is None else argv)
    fmt = 'raw'
    for option, value in (('--format=json', 'json'), ('-j', 'json'), ('--format=raw', 'raw'),
                          ('-r', 'raw')):
        if option in args:
            args.remove(option)
            fmt = value
    if not args or args[0] in ('-h', '--help'):
        print(__doc__)
        return 0 if args else 2
    bridge = open_bridge()
    try:
        output, is_test = _run(bridge, args[0], args[1:])
    except IndexError:
        print(f'charms.reactive {args[0]}: missing argument', file=sys.stderr)
        return 2
    bridge.close()
    if is_test:
        return 0 if output else 1
    _print(output, fmt)
    return 0


if __name__ == '__main__':
    sys.exit(main())

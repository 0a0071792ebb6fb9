"""Every documented behaviour difference between charms.reactive/charmhelpers and reactops.

``docs/porting.md`` shows the same list as a table; :func:`reactops.legacy.port_check`
reports the entries whose *triggers* a charm uses. A trigger is an API name
(``when_file_changed``, ``hookenv.relation_set``) or one of the markers ``*`` (applies to
every charm), ``external`` (the charm has executable handlers), ``relations`` (the charm
declares relation endpoints).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ['DIFFERENCES', 'Difference']


@dataclass(frozen=True)
class Difference:
    """One behaviour difference: what charms.reactive did, what reactops does, what to
    check when porting."""

    id: str
    topic: str
    reactive: str
    reactops: str
    check: str
    triggers: tuple[str, ...]


DIFFERENCES: tuple[Difference, ...] = (
    Difference('file-changed', '@when_file_changed',
               'the test stores the new hash: only the first handler of a file fires, a '
               're-test after a clear or the log tracer can consume the change',
               'each watching handler sees each change once; tests consume nothing',
               'handlers that relied on only one of several watchers firing',
               ('when_file_changed',)),
    Difference('file-rewritten', 'a file rewritten during the dispatch',
               'a file-only handler is re-tested every iteration and fires in the same hook',
               'files are hashed once per dispatch: the watcher fires in the next hook',
               '"render, then restart on change" pairs: restart in the rendering handler',
               ('when_file_changed',)),
    Difference('peer-pattern', '{peer:<interface>} hook patterns',
               'documented but matched nothing (only "peers" worked)',
               'both "peer" and "peers" match', 'a pattern dead before now matches',
               ('hook',)),
    Difference('when-no-flags', '@when() with no flags',
               'runs in every one of the 100 iterations', 'runs once, in iteration 0',
               'nothing, unless a handler relied on the repetition', ('when', 'when_all')),
    Difference('loop', 'a dispatch that does not settle',
               'stops silently after 100 iterations',
               'DispatchLoopError naming the handlers, flags and cycle; long chains that '
               'make progress run to the end', 'run the hooks in tests and look for the error',
               ('*',)),
    Difference('arguments', 'legacy handler arguments',
               'computed lazily; @hook always passes the relation (TypeError for a handler '
               'without a parameter)', 'computed once; passed only to a handler taking one',
               'nothing', ('hook', 'when', 'when_all')),
    Difference('discovery-order', 'discovery order', 'raw directory order (filesystem)',
               'sorted paths', 'handlers that depended on an accidental order', ('*',)),
    Difference('dispatch-keys', 'dispatch bookkeeping keys',
               'reactive.dispatch.phase, reactive.dispatch.removed_state and '
               'reactive.state_watch are committed to the store',
               'kept in memory (and removed by the in-place upgrade)',
               'code that read those keys', ('unitdata.kv',)),
    Difference('triggers', 'triggers', 'stored in the kv store, deleted at hook end',
               'kept in memory only', 'nothing', ('register_trigger',)),
    Difference('config-flags', 'config.* flags',
               'layer-basic computes them at every hook start (one config-get)',
               'computed when first read; the same names and rules',
               'nothing; charms.layer.basic.init_config_states() does nothing',
               ('*',)),
    Difference('config-previous', 'hookenv.config().previous()/changed()',
               'remembered in .juju-persistent-config, saved at atexit',
               'remembered in the state store (the file is read once, after the upgrade, '
               'and never written)', 'code that reads .juju-persistent-config itself',
               ('hookenv.config',)),
    Difference('leadership', 'leadership.* flags',
               'from layer-leadership', 'leadership.is_leader is built in',
               'leadership.set.* and leadership.changed.* are not provided', ('*',)),
    Difference('only-once', '@only_once key',
               "the absolute path of the handler's file",
               'the path relative to the charm; the legacy entry point maps the old keys '
               'on the first hook after an in-place upgrade',
               'a handler moved to another line runs again, as before', ('only_once',)),
    Difference('actions', 'actions',
               'an action script runs the handlers only if it calls main()',
               'handlers never run for an action', 'action scripts that called main()',
               ('main',)),
    Difference('external', 'executable handlers',
               'tested in every iteration (up to 101 times); the store is committed before '
               'each run so the charms.reactive command can write it',
               'tested in the hooks phase, iteration 0, then only when a flag their last '
               "--test read changed; the command works on the dispatch's flags through a "
               'bridge file, so the hook stays one transaction; charms.reactive.sh (bash '
               'decorators) and when_file_changed/relation_call/register_trigger in the '
               'command are not provided', 'bash handlers that source charms.reactive.sh',
               ('external',)),
    Difference('tracer', 'log tracer', 're-tests every handler on every flag change',
               'the dispatch record never tests', 'nothing', ('*',)),
    Difference('endpoint-flags', 'automatic endpoint.<name>.* flags',
               'only for endpoints whose interface layer is an Endpoint subclass',
               'for every relation endpoint (a plain Endpoint when there is no layer, also '
               'next to a RelationBase layer)',
               'handlers reacting to endpoint.* flags of such endpoints', ('relations',)),
    Difference('endpoint-changed', 'endpoint.<name>.changed.<field> in relation hooks',
               "every relation hook of the endpoint compares every unit's bag (one "
               'relation-get per unit), so a change shows in whichever hook comes first',
               "only the hook's remote unit's bag is compared (the remote application's in "
               'relation-changed without a remote unit), as Juju runs one hook per member '
               'whose data changed',
               "interface layers that expected another unit's change in this hook",
               ('relations',)),
    Difference('broken-flag', 'endpoint.<name>.broken',
               'never set', 'set in <name>-relation-broken, cleared when joined again',
               'nothing', ('relations',)),
    Difference('relation-set', 'hookenv.relation_set() and Conversation.set_remote()',
               'relation-set runs at once', 'written once at the end of the hook, with the '
               "dispatch's commit (Juju applied them only then anyway)",
               'relation_get() of our own bag later in the same hook now sees the write',
               ('hookenv.relation_set', 'set_remote')),
    Difference('kv-flush', 'unitdata.kv().flush()',
               'commits the store at once (layer-basic flushed twice per hook)',
               'inside a hook the dispatch commits at its end, all or nothing; '
               'flush(save=False) raises there', 'code that flushed to survive a failure '
               'later in the same hook', ('unitdata.kv',)),
    Difference('getrange', 'unitdata.kv().getrange(prefix)',
               'SQL LIKE: case-insensitive, "_" and "%" are wildcards',
               'exact prefix', 'prefixes containing "_" or "%"', ('unitdata.kv',)),
    Difference('bootstrap', 'layer-basic bootstrap',
               'installs the wheelhouse into a venv at hook time',
               'nothing is installed at hook time: dependencies are packed with the charm; '
               'charms.layer.basic.bootstrap_charm_deps() and activate_venv() do nothing',
               'wheelhouse.txt: pack those packages with the charm', ('*',)),
    Difference('hookenv-cache', 'hookenv caching',
               '@cached memoises per process, never invalidated except by relation_set',
               'answers come from the model, cached for the dispatch as reactops does',
               'nothing', ('hookenv.cached',)),
)

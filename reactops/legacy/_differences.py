"""Every documented behaviour difference between charms.reactive/charmhelpers and reactops.

``docs/porting.md`` shows the same list as a table, and its ids are the source of truth;
:func:`reactops.legacy.port_check` reports the entries a charm's usage makes apply. Each
entry names its *markers*: the usages that make it apply (the markers of
:mod:`._portscan`, such as ``when_file_changed`` or ``hookenv.relation_set``, and these
found by ``port_check`` itself: ``handler-modules`` (handlers in more than one module),
``external`` (executable handlers), ``relations`` (relation endpoints in the metadata),
``wheelhouse`` (packages in ``wheelhouse.txt``), ``exec.d`` (an ``exec.d/`` directory));
``module:<name>`` marks a use of legacy module *name* itself.
An entry whose check is "nothing" has nothing to look at when porting: port-check shows it
only when asked for all.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ['DIFFERENCES', 'Difference']


@dataclass(frozen=True)
class Difference:
    """One behaviour difference: what charms.reactive did, what reactops does, what to
    check when porting, and the usages (*markers*) that make it apply to a charm."""

    id: str
    topic: str
    reactive: str
    reactops: str
    check: str
    markers: tuple[str, ...]
    #: It applies only when the charm packs no charmhelpers (else that copy answers).
    when_unpacked: bool = False

    @property
    def quiet(self) -> bool:
        """Whether there is nothing to check when porting."""
        return self.check == 'nothing'


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
               '"render, then restart on change" pairs: restart in the rendering handler, '
               'with data_changed or any_file_changed', ('when_file_changed',)),
    Difference('peer-pattern', '{peer:<interface>} in @hook',
               'documented, matched nothing (only "peers" worked)',
               'both "peer" and "peers" match', 'a pattern dead before now matches',
               ('hook-peer-pattern',)),
    Difference('when-no-flags', '@when() with no flags',
               'runs in each of the 100 iterations', 'runs once, in iteration 0',
               'a handler that relied on the repetition', ('when-no-flags',)),
    Difference('loop', 'a dispatch that does not settle',
               'stops silently after 100 iterations',
               'DispatchLoopError naming the handlers, flags and cycle; chains that keep '
               'making progress run to the end',
               'run the hooks in tests and look for the error ("reactops check" finds '
               'the loops it can see in the source)', ('handlers',)),
    Difference('arguments', 'legacy handler arguments',
               'computed lazily; @hook always passes the relation (TypeError for a handler '
               'without a parameter)', 'computed once; passed only to a handler taking one',
               'nothing', ('handlers',)),
    Difference('discovery-order', 'handler discovery', 'raw directory order (filesystem)',
               'sorted paths',
               'handlers in several modules that depended on an accidental order',
               ('handler-modules',)),
    Difference('dispatch-keys', 'dispatch bookkeeping',
               'reactive.dispatch.phase, reactive.dispatch.removed_state and '
               'reactive.state_watch are committed to the store',
               'kept in memory; removed by the in-place upgrade; during a dispatch '
               "kv().get('reactive.dispatch.phase') and the private helpers._when_all & co. "
               'answer the running phase', 'code that read removed_state or state_watch',
               ('dispatch-keys',)),
    Difference('triggers', 'triggers', 'stored in the kv store, deleted at hook end',
               'kept in memory only', 'nothing', ('register_trigger',)),
    Difference('config-flags', 'config.* flags',
               'set by layer-basic at the start of every hook (one config-get), cleared at '
               'its end', 'the same names and rules, computed when first read, cleared at '
               'the end of the hook', 'nothing', ('handlers',)),
    Difference('config-flag-rows', 'config.* flags in the kv store',
               'written to reactive.states.config.* rows at the start of every hook and '
               'deleted at its end',
               'kept in memory for the hook (writing and deleting the rows in every hook '
               'only dirtied the state file): the flag functions, is_state and external '
               'handlers see them; a raw unitdata.kv() read of the rows does not',
               'code that reads reactive.states.* rows through unitdata.kv() instead of '
               'is_flag_set()', ('raw-flag-keys',)),
    Difference('config-previous', 'hookenv.config().previous()/changed()',
               'remembered in .juju-persistent-config, saved at atexit',
               'remembered in the state store (the file is read once, after the upgrade, '
               'and never written)', 'code that reads .juju-persistent-config itself',
               ('persistent-config',)),
    Difference('leadership', 'leadership.* flags',
               'from layer-leadership', 'leadership.is_leader is built in',
               'leadership.set.* and leadership.changed.* are not provided: keep '
               "layer-leadership's library in lib/ or use peer relations",
               ('leadership-flags',)),
    Difference('only-once', '@only_once key',
               "the absolute path of the handler's file",
               'the path relative to the charm, mapped from the old keys by the in-place '
               'upgrade', 'a handler moved to another line runs again, as it did',
               ('only_once',)),
    Difference('actions', 'actions and scripts outside a dispatch',
               'an action script runs the handlers if it calls main(); outside main() flags '
               'and kv go through unitdata.kv(), kept at kv().flush(); no Endpoint is made '
               'there (endpoint_from_flag returns None for Endpoint layers)',
               'handlers never run for an action, even one that calls main(); under dispatch '
               'actions/<name> runs as Juju ran it; outside a dispatch flags and kv are the '
               "state file's, kept at kv().flush(); endpoint_from_flag/endpoint_from_name "
               "return the charm's Endpoint, and its to_publish writes are sent at once",
               'action scripts that called main() to run handlers; an action that relied on '
               'getting None for an Endpoint; a script that never flushes keeps nothing, as '
               'before', ('action-main', 'action-flags')),
    Difference('external', 'executable handlers',
               'tested in every iteration (up to 101 times); the store is committed before '
               'each run so the charms.reactive command can write it',
               'tested in the hooks phase and iteration 0, then only when a flag their last '
               "--test read changed; the command works on the dispatch's flags through a "
               'bridge file; charms.reactive.sh is not provided',
               'bash handlers that source charms.reactive.sh: rewrite them in Python (or '
               'keep a copy of the script in the charm)', ('external',)),
    Difference('tracer', 'the log tracer',
               'installed at every hook start; re-tests every handler on every flag change',
               'the dispatch record never tests and calls no tracer; charms.reactive.trace '
               'keeps its names, LogTracer logs what charm code tells it', 'nothing',
               ('module:charms.reactive.trace', 'install_tracer', 'LogTracer')),
    Difference('endpoint-flags', 'automatic endpoint.<name>.* flags',
               'only for endpoints whose interface layer is an Endpoint',
               'for every relation endpoint (a plain Endpoint when there is no layer, also '
               'next to a RelationBase layer)',
               'handlers reacting to endpoint.* flags of such endpoints', ('endpoint-flags',)),
    Difference('endpoint-changed', 'endpoint.<name>.changed.<field> in relation hooks',
               "every relation hook of the endpoint compares every unit's bag, so a change "
               'shows in whichever hook comes first',
               "only the hook's remote unit's bag and the remote application's are "
               'compared, as Juju runs one hook per member whose data changed',
               "interface layers that expected another unit's change in this hook",
               ('endpoint-changed',)),
    Difference('broken-flag', 'endpoint.<name>.broken',
               'never set', 'set in <name>-relation-broken, cleared when joined again',
               'nothing', ('relations',)),
    Difference('relation-set', 'hookenv.relation_set() and Conversation.set_remote()',
               'relation-set at once', 'written once, at the end of the hook, with the '
               'commit (Juju applied them only then anyway)',
               'relation_get() of our own bag later in the same hook now sees the write',
               ('hookenv.relation_set', 'set_remote')),
    Difference('kv-flush', 'unitdata.kv().flush()',
               'commits at once (layer-basic flushed twice per hook)',
               'inside a hook the dispatch commits at its end, all or nothing, flags and kv '
               'together; flush(save=False) raises there; outside a dispatch flush() '
               'commits the flags and kv changed so far, as charmhelpers did',
               'code that flushed to survive a failure later in the same hook',
               ('kv-flush',)),
    Difference('getrange', 'unitdata.kv().getrange(prefix)',
               'SQL LIKE: case-insensitive, "_" and "%" are wildcards',
               'exact prefix', 'prefixes containing "_" or "%"', ('kv-getrange',)),
    Difference('bootstrap', 'layer-basic bootstrap',
               'installs the wheelhouse into a venv at hook time, re-execs the interpreter, '
               'imports every lib/charms/layer library, installs charm-env and the '
               'charms.reactive/layer_option wrappers in /usr/local/sbin',
               'nothing at hook time: dependencies are packed with the charm; '
               'bootstrap_charm_deps(), activate_venv() do nothing; layer libraries import '
               'when first named (layer.status) or with import_layer_libs(); the '
               'charms.reactive command is on PATH only for external handlers and non-Python '
               'actions',
               'wheelhouse.txt: pack those packages (charmhelpers too if port-check says '
               'needs-package); without a dispatch, actions whose #! is '
               '/usr/local/sbin/charm-env; a layer library whose import does something no '
               'code asks for by name', ('wheelhouse', 'charm-env')),
    Difference('charmhelpers-missing', 'a charmhelpers module reactops does not replace, '
               'the charm packing no charmhelpers', 'it was installed from the wheelhouse',
               "charmhelpers.core.host is reactops' file helpers; any other module raises "
               'ModuleNotFoundError naming the package to pack',
               "port-check's needs-package lines: pack charmhelpers", ('needs-package',),
               when_unpacked=True),
    Difference('execd', 'exec.d/*/charm-pre-install',
               "layer-basic's bootstrap runs each once, before the first hook's handlers",
               'nothing runs them', 'what they did: do it in an install handler, or when '
               'building the charm', ('exec.d',)),
    Difference('hookenv-cache', 'hookenv caching',
               '@cached per process, invalidated only by relation_set',
               'answers come from the model, cached for the dispatch; @cached memoises per '
               'dispatch', 'nothing', ('hookenv.cached', 'cached')),
    Difference('has-juju-version', 'hookenv.juju_version(), has_juju_version()',
               'asks the jujud binary (fails where it is not there); compares with '
               'LooseVersion', '$JUJU_VERSION, which Juju sets in every hook and action; '
               'release numbers compared as numbers, a tag ignored', 'nothing',
               ('hookenv.has_juju_version', 'hookenv.juju_version', 'expected_related_units',
                'expected_peer_units', 'unit_doomed')),
    Difference('flag-watch', 'bus.FlagWatch',
               "the dispatch's record of changed flags, stored under reactive.state_watch",
               "kept in memory and not fed by reactops' dispatch; its methods work for code "
               'that calls them', 'code that read the watch to learn what changed',
               ('FlagWatch', 'bus.FlagWatch')),
    Difference('external-by-hand', 'bus.ExternalHandler.test()/invoke() called by charm code',
               'runs the file after committing the store, so its charms.reactive commands '
               'see the flags', "runs the file without the dispatch's bridge: during a "
               "dispatch its charms.reactive commands do not see the dispatch's changes",
               'code that runs executable handlers itself',
               ('ExternalHandler', 'bus.ExternalHandler')),
    Difference('relation-factory', 'RelationFactory entry points',
               'loaded at import; consulted by every endpoint lookup',
               'loaded on first use, consulted by relation_factory() only; '
               "endpoint_from_name/endpoint_from_flag find the charm's interface layers",
               'packages that registered relation factories',
               ('RelationFactory', 'relations.RelationFactory', 'relation_factory')),
    Difference('kv-conn', 'unitdata.kv().conn, .cursor',
               'the raw SQLite connection: conn.commit() commits at once',
               "SQL on the store's connection; conn.commit() and conn.rollback() are flush() "
               'and flush(False)', 'SQL that committed to survive a failure later in the hook',
               ('kv-conn',)),
    Difference('hook-data', 'unitdata.HookData, kv().hook_scope()',
               "reads the charm's revision file (fails without one)",
               'a charm without a revision file counts as revision 0; inside a hook a failed '
               'scope fails the whole dispatch', 'nothing',
               ('HookData', 'unitdata.HookData', 'kv-history')),
    Difference('hookenv-rare', 'relations_for_id() with no id; function_get/set/fail; '
               'Serializable.yaml()', 'failed; used the function-* tools; any object as YAML',
               "the running hook's relation; always the action-* tools; plain data only",
               'nothing', ('hookenv.relations_for_id', 'hookenv.function_get',
                           'hookenv.function_set', 'hookenv.function_fail', 'Serializable')),
    Difference('hook-name', 'hookenv.hook_name()',
               "$JUJU_HOOK_NAME if set (even empty), else argv[0]'s name",
               "during a dispatch, the dispatch's hook; outside one, $JUJU_HOOK_NAME as set, "
               "else the dispatch path's name, then argv[0]'s", 'nothing',
               ('hookenv.hook_name',)),
    Difference('host-helpers', 'charmhelpers.core.host without a packed charmhelpers',
               '(charmhelpers always there, installed from the wheelhouse)',
               'only the file helpers; write_file leaves a file that already holds the '
               'content alone; symlink replaces the link in Python',
               "calls of host's other helpers: pack charmhelpers",
               ('module:charmhelpers.core.host', 'host.write_file', 'host.symlink'),
               when_unpacked=True),
    Difference('cli-render', 'charms.reactive.cli.render_template',
               "renders with charmhelpers' templating and Jinja2, installed from the "
               'wheelhouse', 'the same, only when the charm packs charmhelpers and Jinja2; '
               'otherwise a LegacyError saying to pack them', 'templates rendered through '
               'the command', ('render_template', 'cli.render_template')),
    Difference('handler-registry', 'handler registry',
               'a class-level dict per process, filled by the decorators through bus.Handler',
               "an object built per dispatch from the decorators' specs; bus.Handler.get(func) "
               "is a view of a function's spec; add_args is used only by Handler.invoke()",
               'tests that cleared Handler._HANDLERS; layers whose decorators call add_args',
               ('handler-registry',)),
    Difference('bus-dispatch', 'charms.reactive.bus.discover() / dispatch()',
               'run the dispatch', 'raise LegacyError: reactops.legacy.main() runs it',
               'code that drove the bus itself: call reactops.legacy.main() instead',
               ('bus.discover', 'bus.dispatch')),
)

"""What the decorators declared, indexed as they run.

Decorators run in every hook anyway (importing a handler module runs them), so they are
the cheapest place to build the lookups a dispatch needs: which handlers read a flag,
which handlers cannot be ready unless a flag is set, which are tested every time. A
dispatch then looks up the handlers that may be ready instead of registering and testing
every one: with 10,000 handlers of which one is ready, it touches a handful.

Everything is keyed by the module the function was defined in; a registry uses only the
entries of the modules it collected, and checks that the function is still the module's
attribute before it registers it (see :class:`~reactops.reactive.registry.HandlerRegistry`).
Remembering the tables between hooks instead (in the state file, invalidated when the
charm's code changes) was measured and rejected: loading them costs more than the
decorators spend building them.
"""

from __future__ import annotations

from .._private.typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .decorators import HandlerSpec
    from .predicates import Predicate

__all__ = ['DECLARED', 'Declared']


class Declared:
    """The process-wide index of decorated functions (one instance: :data:`DECLARED`)."""

    def __init__(self) -> None:
        #: module name -> specs of the functions first decorated there, in order.
        self.by_module: dict[str, list[HandlerSpec]] = {}
        #: flag -> specs one of whose predicates reads it.
        self.readers: dict[str, list[HandlerSpec]] = {}
        #: flag -> specs that cannot be ready unless it is set (``@when('a', 'b')``
        #: needs ``a``; ``@when_any('a', 'b')`` is listed under both).
        self.requiring: dict[str, list[HandlerSpec]] = {}
        #: the text before the first dot -> required flags starting with it ('config'
        #: -> ['config.changed.port']): which automatic flag families a dispatch needs.
        self.required_by_segment: dict[str, list[str]] = {}
        #: module name -> specs with no such flag (id -> spec, in decoration order):
        #: ``@when_not``, ``@hook``, ``@only_once``, ... are tested in every dispatch.
        self.free: dict[str, dict[int, HandlerSpec]] = {}
        #: module name -> specs with ``rerun=False`` / with a ``priority=``.
        self.no_rerun: dict[str, dict[int, HandlerSpec]] = {}
        self.prioritized: dict[str, dict[int, HandlerSpec]] = {}

    def created(self, spec: HandlerSpec) -> None:
        """A function got its first decorator."""
        module = spec.module or ''
        specs = self.by_module.get(module)
        if specs is None:
            self.by_module[module] = [spec]
            self.free[module] = {id(spec): spec}
        else:
            specs.append(spec)
            self.free[module][id(spec)] = spec

    def added(self, spec: HandlerSpec, predicate: Predicate) -> None:
        """*spec* got *predicate* (after it was appended to ``spec.predicates``)."""
        # Written for speed: it runs once per decorator, in every hook.
        readers = self.readers
        for flag in predicate.flags:
            found = readers.get(flag)
            if found is None:
                readers[flag] = [spec]
            else:
                found.append(spec)
        if spec.requires_flag:
            return  # indexed under an earlier predicate's flag already: one is enough
        required = predicate.required_flags()
        if required is None:
            return
        spec.requires_flag = True
        free = self.free.get(spec.module or '')
        if free is not None:
            free.pop(id(spec), None)
        requiring = self.requiring
        for flag in required:
            specs = requiring.get(flag)
            if specs is None:
                requiring[flag] = [spec]
                dot = flag.find('.')
                if dot > 0:  # automatic flag families all have a dot ('config.')
                    self.required_by_segment.setdefault(flag[:dot], []).append(flag)
            else:
                specs.append(spec)

    def options_changed(self, spec: HandlerSpec) -> None:
        """*spec*'s ``rerun`` or ``priority`` was set."""
        for table, wanted in ((self.no_rerun, not spec.rerun),
                              (self.prioritized, bool(spec.priority))):
            entries = table.setdefault(spec.module or '', {})
            if wanted:
                entries[id(spec)] = spec
            else:
                entries.pop(id(spec), None)


DECLARED = Declared()

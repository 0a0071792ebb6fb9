"""Loggers that import :mod:`logging` only when a record will actually be emitted.

``logging`` and what it imports cost several milliseconds of every hook, and a quiet hook
logs nothing at the default level. reactops' own modules log through :func:`get_logger`;
:func:`configure_root` arranges for the root logger to be routed to ``juju-log`` as soon
as ``logging`` is imported by anyone (reactops, the charm, or a library it uses), so a
charm that logs sees exactly what it would if ``logging`` had been set up eagerly.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

__all__ = ['LazyLogger', 'configure_root', 'get_logger', 'root_level']

#: Level names logging knows, as numbers (the same table as ``logging``'s).
LEVELS = {'CRITICAL': 50, 'FATAL': 50, 'ERROR': 40, 'WARN': 30, 'WARNING': 30, 'INFO': 20,
          'DEBUG': 10, 'NOTSET': 0}
_WARNING = 30

# The root level reactops asked for, and the setup that waits for ``logging`` to be imported.
_threshold = _WARNING  # logging's own default while nothing was configured
_pending: Callable[[], None] | None = None


def root_level(*, debug: bool = False) -> int:
    """The root logger's level for a dispatch: ``$REACTOPS_LOG_LEVEL``, else DEBUG or INFO."""
    wanted = os.environ.get('REACTOPS_LOG_LEVEL', 'DEBUG' if debug else 'INFO').upper()
    return LEVELS.get(wanted, LEVELS['INFO'])


def configure_root(setup: Callable[[], None], level: int) -> None:
    """Run *setup* (which configures the root logger at *level*) once ``logging`` is loaded.

    If ``logging`` is already imported, *setup* runs now; otherwise it runs right after
    the first import of ``logging``, whoever makes it. Until then, records below *level*
    are dropped without importing ``logging`` at all.
    """
    global _pending, _threshold
    _threshold = level
    if 'logging' in sys.modules:
        _pending = None
        setup()
        return
    _pending = setup
    if not any(isinstance(finder, _SetupOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SetupOnImport())


def _run_pending() -> None:
    global _pending
    setup, _pending = _pending, None
    if setup is not None:
        setup()


class _SetupOnImport:
    """A meta-path finder that runs the pending root setup after ``logging`` is executed."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        """Find ``logging`` through the other finders, wrapping its loader; ignore the rest."""
        if fullname != 'logging':
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, 'find_spec', None)
            spec: ModuleSpec | None = (
                find(fullname, path, target) if find is not None else None)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
                    # Duck-typed: a Loader subclass would import importlib.abc.
                    spec.loader = _ThenLoader(spec.loader)  # type: ignore[assignment]
                return spec
        return None


class _ThenLoader:
    """Wraps the loader of ``logging``: execute the module, then run the pending setup."""

    def __init__(self, loader: Any):
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        result: ModuleType | None = self._loader.create_module(spec)
        return result

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _run_pending()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class LazyLogger:
    """The parts of :class:`logging.Logger` reactops uses, importing ``logging`` on need."""

    __slots__ = ('name', '_logger')

    def __init__(self, name: str):
        self.name = name
        self._logger: logging.Logger | None = None

    @property
    def logger(self) -> logging.Logger:
        """The real logger (importing ``logging`` and running any pending setup)."""
        if self._logger is None:
            import logging

            _run_pending()
            self._logger = logging.getLogger(self.name)
        return self._logger

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging's own spelling
        """Whether a record at *level* would be handled."""
        logger = self._logger
        if logger is None:
            if 'logging' not in sys.modules and level < _threshold:
                return False
            logger = self.logger
        return logger.isEnabledFor(level)

    def _log(self, level: int, msg: object, args: tuple[object, ...], **kwargs: Any) -> None:
        if self.isEnabledFor(level):
            # stacklevel 3: the record names the caller of debug()/info()/..., not this module.
            self.logger.log(level, msg, *args, stacklevel=3, **kwargs)

    def debug(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log at DEBUG."""
        self._log(10, msg, args, **kwargs)

    def info(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log at INFO."""
        self._log(20, msg, args, **kwargs)

    def warning(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log at WARNING."""
        self._log(30, msg, args, **kwargs)

    def error(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log at ERROR."""
        self._log(40, msg, args, **kwargs)

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log at ERROR with the exception being handled."""
        kwargs.setdefault('exc_info', True)
        self._log(40, msg, args, **kwargs)

    def __repr__(self) -> str:
        return f'<LazyLogger {self.name}>'


_loggers: dict[str, LazyLogger] = {}


def get_logger(name: str) -> LazyLogger:
    """The lazy logger for *name* (one per name, like ``logging.getLogger``)."""
    logger = _loggers.get(name)
    if logger is None:
        logger = _loggers[name] = LazyLogger(name)
    return logger

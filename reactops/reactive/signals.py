"""blinker signals for every step of a reactive dispatch.

Connect a receiver to follow a dispatch without polling::

    from reactops.reactive import signals

    @signals.flag_set.connect
    def on_flag_set(flag, value, handler):
        print('set', flag, 'by', handler)

=====================  ===========  ==========================================
signal                 sender       keyword arguments
=====================  ===========  ==========================================
``dispatch_started``   recorder     ``hook``, ``flags`` (set at the start)
``dispatch_finished``  recorder     ``hook``, ``ok``, ``handlers`` (ids run)
``handler_started``    Handler      ``iteration`` (``'hooks'`` or a number)
``handler_finished``   Handler      ``iteration``
``handler_failed``     Handler      ``error``, ``iteration``
``flag_set``           flag name    ``value``, ``handler`` (id or None)
``flag_cleared``       flag name    ``value`` (None), ``handler``
=====================  ===========  ==========================================

Importing this module imports blinker; the dispatcher sends signals only once it has
been imported, so charms that subscribe to nothing do not pay for blinker.
"""

from __future__ import annotations

from blinker import Namespace

__all__ = [
    'dispatch_finished', 'dispatch_started', 'flag_cleared', 'flag_set', 'handler_failed',
    'handler_finished', 'handler_started',
]

_namespace = Namespace()

dispatch_started = _namespace.signal('dispatch_started', doc='A reactive dispatch begins.')
dispatch_finished = _namespace.signal('dispatch_finished', doc='A reactive dispatch ended.')
handler_started = _namespace.signal('handler_started', doc='A handler is about to run.')
handler_finished = _namespace.signal('handler_finished', doc='A handler returned.')
handler_failed = _namespace.signal('handler_failed', doc='A handler raised.')
flag_set = _namespace.signal('flag_set', doc='A flag became set.')
flag_cleared = _namespace.signal('flag_cleared', doc='A flag became unset.')

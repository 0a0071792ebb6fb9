"""Module-level handlers of the mixed test charm."""

from reactops import current_charm, set_flag, when


@when('mixed.configured', 'config.changed')
def note_config():
    current_charm()._stored.order.append('module:note_config')
    set_flag('mixed.noted')

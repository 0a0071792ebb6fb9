"""Module-level handlers of the mixed test charm."""

from reactops import collect_metrics, current_charm, is_flag_set, set_flag, when


@when('mixed.configured', 'config.changed')
def note_config():
    current_charm()._stored.order.append('module:note_config')
    set_flag('mixed.noted')


@collect_metrics()
def metrics():
    # Reading a config flag computes the config.* family, even in a restricted hook.
    if is_flag_set('config.set.mode'):
        set_flag('mixed.metrics-saw-config')

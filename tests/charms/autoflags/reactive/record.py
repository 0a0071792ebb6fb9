"""Copies the automatic flags it can see into a flag of its own."""

from reactops import get_flags, set_flag, when


@when('config.changed')
def on_config_changed():
    seen = [f for f in get_flags() if f.startswith(('config.', 'leadership.', 'upgrade.'))]
    set_flag('seen', seen)


@when('leadership.is_leader')
def as_leader():
    set_flag('led')


@when('upgrade.series.in-progress')
def upgrading():
    set_flag('saw-series-upgrade')

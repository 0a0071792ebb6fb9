"""A restricted hook (collect-metrics) runs one queue and no main loop. Its predicates
decide: @collect_metrics handlers, and handlers with no phase of their own (@only_once or
@when_file_changed alone), whose predicates never look at the phase."""

from charms.reactive import collect_metrics, hook, only_once, when, when_file_changed
from record import ran


@when('go')
def main_loop_only():
    ran()


@collect_metrics()
def metrics():
    ran()


@hook('collect-metrics')
def hook_handler():
    ran()


@only_once
def once_alone():
    ran()


@when_file_changed('watched.txt')
def file_alone():
    ran()

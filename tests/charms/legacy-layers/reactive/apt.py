# The apt layer's handlers (reactive/apt.py), written for these tests in layer-apt's
# shape: startup work registered with hookenv.atstart, handlers driven by flags.
import subprocess

import charms.apt
from charmhelpers.core import hookenv
from charmhelpers.core.hookenv import WARNING
from charms import layer, reactive
from charms.layer import status
from charms.reactive import when, when_not


@when('apt.needs_update')
def update():
    charms.apt.update()


@when('apt.queued_installs')
@when_not('apt.needs_update')
def install_queued():
    charms.apt.install_queued()


@when_not('apt.queued_installs')
def ensure_package_status():
    charms.apt.ensure_package_status()


def installed_packages():
    out = subprocess.check_output(['dpkg-query', '--show', r'--showformat=${Package}\n'],
                                  universal_newlines=True)
    return set(out.split())


def clear_removed_package_flags():
    """A package removed behind the charm's back loses its flag (and is queued again)."""
    gone = charms.apt.installed() - installed_packages()
    if gone:
        hookenv.log('{} missing packages ({})'.format(len(gone), ','.join(sorted(gone))),
                    WARNING)
        for package in gone:
            reactive.clear_flag('apt.installed.' + package)


def configure_sources():
    config = hookenv.config()
    package_status = config.get('package_status') or ''
    if package_status not in ('hold', 'install'):
        status.blocked(f'Unknown package_status {package_status}')
        # Stop the hook here: nothing else may run with this config.
        raise SystemExit(0)
    extra = sorted((config.get('extra_packages') or '').split())
    if extra:
        charms.apt.queue_install(extra)


def queue_layer_packages():
    opts = layer.options()
    for section in ('basic', 'apt'):
        if section in opts and 'packages' in opts[section]:
            charms.apt.queue_install(opts[section]['packages'])


hookenv.atstart(hookenv.log, 'Initializing Apt Layer')
hookenv.atstart(clear_removed_package_flags)
hookenv.atstart(configure_sources)
hookenv.atstart(queue_layer_packages)
hookenv.atstart(charms.apt.reset_application_version)

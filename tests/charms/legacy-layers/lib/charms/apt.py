# The apt layer's library (lib/charms/apt.py), written for these tests in layer-apt's
# shape: queue deb packages with queue_install(); the layer's handlers install them and
# set apt.installed.<package>. Package tools run through the packed charmhelpers.fetch.
import itertools
import re
import subprocess

from charmhelpers import fetch
from charmhelpers.core import hookenv, unitdata
from charms import layer, reactive
from charms.layer import status
from charms.reactive import flags

QUEUE = 'apt.install_queue.'


def add_source(source, key=None):
    fetch.add_source(source, key)
    reactive.set_flag('apt.needs_update')


def queue_install(packages, options=None):
    """Queue packages not installed nor queued yet; sets apt.queued_installs."""
    if isinstance(packages, str):
        packages = [packages]
    queued = unitdata.kv().getrange(QUEUE, strip=True)
    new = {package: options for package in packages
           if package not in queued and not reactive.is_flag_set('apt.installed.' + package)}
    if new:
        unitdata.kv().update(new, prefix=QUEUE)
        reactive.set_flag('apt.queued_installs')


def installed():
    return {flag.split('.', 2)[2] for flag in flags.get_flags()
            if flag.startswith('apt.installed.')}


def update():
    status.maintenance('Updating apt cache')
    fetch.apt_update(fatal=True)
    reactive.clear_flag('apt.needs_update')


def install_queued():
    """Install the queue, one apt-get per set of options; False (blocked) on a failure."""
    store = unitdata.kv()
    queue = sorted((options or [], package)
                   for package, options in store.getrange(QUEUE, strip=True).items())
    done = set()
    for options, batch in itertools.groupby(queue, key=lambda item: item[0]):
        packages = [package for _, package in batch]
        try:
            status.maintenance('Installing {}'.format(','.join(packages)))
            fetch.apt_install(packages, options, fatal=True)
        except subprocess.CalledProcessError:
            status.blocked('Unable to install packages {}'.format(','.join(packages)))
            return False
        store.unsetrange(packages, prefix=QUEUE)
        done.update(packages)
    for package in sorted(done):
        reactive.set_flag('apt.installed.' + package)
    reactive.clear_flag('apt.queued_installs')
    reset_application_version()
    return True


def get_package_version(package, full_version=False):
    full = subprocess.check_output(
        ['dpkg-query', '--show', r'--showformat=${Version}\n', package],
        universal_newlines=True).strip()
    if not full_version:
        upstream = re.match(r'([\d.a-z]+)', full, re.I)
        if upstream is not None:
            return upstream.group(1)
    return full


def reset_application_version():
    opts = layer.options().get('apt', {})
    package = opts.get('version_package')
    if package and package in installed():
        hookenv.application_version_set(
            get_package_version(package, opts.get('full_version', False)))


def ensure_package_status():
    """Hold or unhold the installed packages, as config's package_status says."""
    packages = sorted(installed())
    if not packages:
        return
    wanted = hookenv.config().get('package_status') or ''
    if reactive.data_changed('apt.package_status', (wanted, packages)):
        (fetch.apt_hold if wanted == 'hold' else fetch.apt_unhold)(packages)
    reactive.clear_flag('apt.needs_hold')

# The charm layer's handlers, written for charms.reactive + charmhelpers + layer-basic,
# layer-options, layer-status and the apt layer, as a charm author wrote them: they run
# on reactops unchanged.
import os

import charms.apt
from charmhelpers.core import hookenv, host, unitdata
from charms import layer
from charms.layer import status
from charms.reactive import set_flag, when, when_not


@when_not('legacy-layers.queued')
def queue_packages():
    opts = layer.options('legacy-layers')  # the callable-module form
    unitdata.kv().set('layer-options', opts)
    charms.apt.queue_install(opts['packages'])
    set_flag('legacy-layers.queued')


@when('apt.installed.app-server')
@when_not('legacy-layers.configured')
def configure():
    status.maintenance('Configuring app-server')
    write_config()
    set_flag('legacy-layers.configured')


@when('legacy-layers.configured', 'config.changed.port')
def port_changed():
    write_config()


def write_config():
    name = layer.options.get('legacy-layers', 'port-file')
    # layer.legacy_layers: a layer library no module imported, found on first use
    text = layer.legacy_layers.config_text(hookenv.config('port'))
    host.write_file(os.path.join(hookenv.charm_dir(), name), text, perms=0o644)
    unitdata.kv().set('config-hash', host.file_hash(os.path.join(hookenv.charm_dir(), name)))


@when('legacy-layers.configured')
@when_not('website.available')
def ready_alone():
    status.active('Ready on port {}'.format(hookenv.config('port')))


@when('legacy-layers.configured', 'website.available')
def publish(website):
    website.configure(port=hookenv.config('port'))
    status.active('Serving {} on port {}'.format(','.join(website.clients()),
                                                  hookenv.config('port')))


@when('legacy-layers.configured', 'cache.available')
def use_cache(cache):
    servers = {unit: f'{host}:{port}' for unit, host, port in cache.servers()}
    unitdata.kv().set('cache-servers', servers)


@when('legacy-layers.configured', 'config.set.wait_for')
def wait_for_dependency():
    # charmhelpers' own status_set: layer-status (patch-hookenv) collects it, so waiting
    # outranks the active status another handler chose in the same hook.
    hookenv.status_set('waiting', 'Waiting for {}'.format(hookenv.config('wait_for')))

# The charm's own layer library (lib/charms/layer/<charm>.py), named by no handler's
# import: `layer.legacy_layers` finds it on first use.
from charms import layer


def config_text(port):
    opts = layer.options.get('legacy-layers')
    return '{} on port {}\n'.format(opts['greeting'], port)

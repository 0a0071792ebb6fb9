"""A layer library, as charm build puts them under lib/charms/layer/."""

from charms.layer import options


def greeting(port):
    return '{} on port {}'.format(options.get('legacy-built', 'greeting'), port)

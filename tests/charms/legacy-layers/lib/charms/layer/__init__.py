# The charms.layer package as layer-basic ships it in a built charm (written for these
# tests in its shape): import_layer_libs() and a callable `options` module. reactops
# stands in for this file; the charm still carries it, as every built charm does.
import sys
from importlib import import_module
from pathlib import Path


def import_layer_libs():
    """Import every library under lib/charms/layer, so `layer.<lib>` works."""
    for path in Path('lib/charms/layer').glob('*'):
        if path.stem in ('__init__', 'basic', 'execd'):
            continue
        if path.suffix == '.py' or path.is_dir():
            import_module('charms.layer.' + path.stem)


class _CallableOptions(sys.modules[__name__].__class__):
    def __call__(self, section=None, layer_file=None):
        if layer_file is None:
            return self.get(section=section)
        return self.get(section=section, layer_file=Path(layer_file))


def patch_options_interface():
    from charms.layer import options
    options.__class__ = _CallableOptions


try:
    patch_options_interface()
except ImportError:
    pass  # PyYAML not installed yet: bootstrap patches it later

# layer-options' library in a built charm (written for these tests in its shape). reactops
# stands in for it: if this copy were imported, every option would read as 'packed-copy'.
import os
from pathlib import Path

_CHARM = Path(os.environ.get('JUJU_CHARM_DIR', '.'))


def get(section=None, option=None, layer_file=_CHARM / 'layer.yaml'):
    if option and not section:
        raise ValueError('Cannot specify option without section')
    return 'packed-copy'

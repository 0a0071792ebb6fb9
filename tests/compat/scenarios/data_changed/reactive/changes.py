"""data_changed is true the first time and whenever the data differs from the last call
(dicts compare by content); is_data_changed does not remember."""

import os

from charms.reactive import data_changed, is_data_changed, when
from record import ran


@when('go')
def check_config():
    port = int(os.environ['COMPAT_PORT'])
    if os.environ.get('COMPAT_REVERSED'):
        data = {'port': port, 'host': 'h'}
    else:
        data = {'host': 'h', 'port': port}
    peek = is_data_changed('cfg', data)
    changed = data_changed('cfg', data)
    ran(f"peek={peek},changed={changed},again={data_changed('cfg', data)}")


@when('go')
def check_list():
    ran(f"changed={data_changed('list', [1, 2, int(os.environ['COMPAT_PORT']) > 80])}")

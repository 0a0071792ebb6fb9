import record
from charms.reactive import hook


@hook('update-status')
def update_status():
    record.ran()

import record
from charmhelpers.core import unitdata
from charms.reactive import clear_flag, set_flag, when, when_not
from charms.reactive.flags import _get_flag_value


@when_not('app.installed')
def install():
    record.ran()
    set_flag('app.installed')
    set_flag('app.running')


@when('endpoint.website.joined')
@when_not('app.website-configured')
def website(website):
    record.ran()
    website.configure(8080)
    set_flag('app.website-configured')


@when('maint.requested')
@when_not('app.running')
def leave_maintenance():
    request = _get_flag_value('maint.requested')
    record.ran(f'{request["by"]}:{unitdata.kv().get("maint.count")}')
    clear_flag('maint.requested')
    set_flag('app.running')


@when('app.debug')
def debugging():
    record.ran()

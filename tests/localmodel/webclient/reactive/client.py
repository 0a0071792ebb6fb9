"""Show what the http layer's services() finds, so a test can read it from the status."""

import json

from reactops import ActiveStatus, WaitingStatus, current_charm, endpoint_from_name, when, when_not


@when('web.available')
def show_services():
    services = endpoint_from_name('web').services()
    current_charm().unit.status = ActiveStatus(json.dumps(services, sort_keys=True))


@when_not('web.available')
def no_service():
    current_charm().unit.status = WaitingStatus('no web service')

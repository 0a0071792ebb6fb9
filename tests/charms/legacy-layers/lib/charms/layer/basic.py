# layer-basic's library in a built charm (written for these tests in its shape). It
# installed the wheelhouse into a virtualenv at hook time; reactops stands in for it, so
# nothing here may run: every function says so.


def _not_under_reactops(name):
    raise RuntimeError(f"layer-basic's {name} ran: reactops should stand in for "
                       'charms.layer.basic')


def bootstrap_charm_deps():
    _not_under_reactops('bootstrap_charm_deps')


def activate_venv():
    _not_under_reactops('activate_venv')


def init_config_states():
    _not_under_reactops('init_config_states')


def clear_config_states():
    _not_under_reactops('clear_config_states')

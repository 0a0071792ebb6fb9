# layer-status' library, written for these tests in its shape: maintenance is set at once,
# the other states are collected and the most important one is set at the end of the
# hook (hookenv.atexit), the charm's own layer winning over the layers it includes.
import inspect
import subprocess
from enum import Enum
from pathlib import Path

import yaml
from charmhelpers.core import hookenv
from charms import layer

_call = subprocess.call
_statuses = {'_initialized': False, '_finalized': False}


class WorkloadState(Enum):
    # declaration order is precedence order
    MAINTENANCE = 'maintenance'
    BLOCKED = 'blocked'
    WAITING = 'waiting'
    ACTIVE = 'active'


def maintenance(message):
    status_set(WorkloadState.MAINTENANCE, message)


maint = maintenance


def blocked(message):
    status_set(WorkloadState.BLOCKED, message)


def waiting(message):
    status_set(WorkloadState.WAITING, message)


def active(message):
    status_set(WorkloadState.ACTIVE, message)


def status_set(workload_state, message):
    if not isinstance(workload_state, WorkloadState):
        workload_state = WorkloadState(workload_state)
    if workload_state is WorkloadState.MAINTENANCE:
        _set_now(workload_state, message)
        return
    _statuses.setdefault(workload_state, []).append((_calling_layer(), message))
    if not _statuses['_initialized'] or _statuses['_finalized']:
        _finalize()  # nobody will run the finalizer: set it now


def _calling_layer():
    for frame in inspect.stack():
        path = Path(frame.filename)
        if path.parent.stem in ('reactive', 'layer', 'charms') and path.stem != 'status':
            return path.stem
    return None


def _initialize():
    if _statuses['_initialized']:
        return
    if layer.options.get('status', 'patch-hookenv'):
        subprocess.call = _patched_call
    hookenv.atexit(_finalize)
    _statuses['_initialized'] = True


def _finalize():
    if _statuses['_initialized']:
        _statuses['_finalized'] = True
    with Path(hookenv.charm_dir(), 'layer.yaml').open() as f:
        includes = yaml.safe_load(f).get('includes', [])
    order = includes + [hookenv.charm_name()]
    for state in WorkloadState:
        records = _statuses.get(state)
        if not records:
            continue
        ranked = sorted(records, key=lambda r: order.index(r[0]) if r[0] in order else 0)
        _set_now(state, ranked[-1][1])
        return


def _set_now(state, message):
    hookenv.log(f'status-set: {state.value}: {message}', hookenv.INFO)
    _call(['status-set', state.value, message])


def _patched_call(cmd, *args, **kwargs):
    if not isinstance(cmd, list) or cmd[0] != 'status-set':
        return _call(cmd, *args, **kwargs)
    status_set(cmd[-2], cmd[-1])
    return 0

# The packed copy's package helpers (written for these tests in charmhelpers.fetch's
# shape): every call runs apt-get or apt-mark, as the real ones do on Ubuntu.
import os
import subprocess

from charmhelpers.core.hookenv import log

APT_OPTIONS = ['--option=Dpkg::Options::=--force-confold']


def _run(cmd, fatal=False):
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    log('Running {}'.format(' '.join(cmd)))
    if fatal:
        subprocess.check_call(cmd, env=env)
    else:
        subprocess.call(cmd, env=env)


def apt_install(packages, options=None, fatal=False):
    if isinstance(packages, str):
        packages = [packages]
    _run(['apt-get', '--assume-yes'] + list(options or APT_OPTIONS) + ['install']
         + list(packages), fatal)


def apt_update(fatal=False):
    _run(['apt-get', 'update'], fatal)


def apt_purge(packages, fatal=False):
    _run(['apt-get', '--assume-yes', 'purge'] + list(packages), fatal)


def apt_hold(packages, fatal=False):
    _run(['apt-mark', 'hold'] + list(packages), fatal)


def apt_unhold(packages, fatal=False):
    _run(['apt-mark', 'unhold'] + list(packages), fatal)


def add_source(source, key=None):
    _run(['add-apt-repository', '--yes', source], fatal=True)

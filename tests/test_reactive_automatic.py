"""The automatic flags: config.*, leadership.is_leader, upgrade.series.in-progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from reactops.testing import Context, State

CHARM = Path(__file__).resolve().parent / 'charms' / 'autoflags'


@pytest.fixture
def ctx() -> Context:
    return Context(CHARM)


def test_the_first_hook_sees_every_option_as_changed(ctx: Context) -> None:
    out = ctx.run(ctx.on.install(), State(config={'port': 8080}))
    assert out.flags['seen'] == [
        'config.changed', 'config.changed.name', 'config.changed.port',
        'config.default.name', 'config.default.port', 'config.set.port']
    assert not [flag for flag in out.flags if flag.startswith('config.')]  # hook-scoped


def test_a_later_hook_sees_only_what_changed(ctx: Context) -> None:
    first = ctx.run(ctx.on.install(), State(config={'port': 8080}))
    same = ctx.run(ctx.on.update_status(), first)
    assert same.flags['seen'] == first.flags['seen']  # config.changed did not fire again
    changed = ctx.run(ctx.on.config_changed(), first.replace(
        config={'port': 9000, 'name': 'x'}, flags={}))
    assert changed.flags['seen'] == [
        'config.changed', 'config.changed.name', 'config.changed.port', 'config.set.name',
        'config.set.port']


def test_leadership_flag_follows_is_leader(ctx: Context) -> None:
    out = ctx.run(ctx.on.update_status(), State(leader=True))
    assert 'led' in out.flags and 'leadership.is_leader' in out.flags
    out = ctx.run(ctx.on.update_status(), out.replace(leader=False, flags={}))
    assert 'leadership.is_leader' not in out.flags


def test_series_upgrade_flag_lasts_from_pre_to_post(ctx: Context) -> None:
    with pytest.warns(DeprecationWarning):
        during = ctx.run(ctx.on.pre_series_upgrade(), State())
    assert 'upgrade.series.in-progress' in during.flags
    assert 'saw-series-upgrade' in during.flags
    with pytest.warns(DeprecationWarning):
        after = ctx.run(ctx.on.post_series_upgrade(), during)
    assert 'upgrade.series.in-progress' not in after.flags

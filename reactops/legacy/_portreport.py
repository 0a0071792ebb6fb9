"""The text of a :class:`~reactops.legacy.PortReport`, for people."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._portcheck import PortReport

__all__ = ['report_text']

_SHOWN_PLACES = 3


def report_text(report: PortReport, all_differences: bool = False) -> str:
    """What port-check prints: the APIs used and their status, what reactops replaces, what
    to change, and the behaviour differences that apply, each with what to check."""
    verdict = 'every legacy API used is provided' if report.ok else 'UNSUPPORTED APIs used'
    lines = [f'port-check of {report.charm_dir}: {verdict}', '', 'Legacy APIs used:']
    for api, entry in report.summary().items():
        lines.append(f'  {entry["status"]:<13} {api} ({entry["count"]}x: '
                     f'{_places(entry["where"])})')
    if not report.uses:
        lines.append('  (none)')
    lines += _charmhelpers(report)
    if report.replaced:
        from ._portcheck import REPLACED

        lines += ['', 'Replaced by reactops (not read):']
        lines += [f'  {path} ({REPLACED[path]})' for path in report.replaced]
    if report.template_hooks:
        names = ', '.join(p.split('/', 1)[1] for p in report.template_hooks)
        lines += ['', f"Hooks still in layer-basic's template ({len(report.template_hooks)}): "
                      f'{names}.', '  Make each call reactops.legacy.main() instead '
                      '(docs/porting.md, "Steps", 2).']
    if report.external_handlers:
        lines += ['', 'Executable handlers (run with the --test/--invoke protocol):']
        lines += [f'  {path}' for path in report.external_handlers]
    shown = report.shown(all_differences)
    hidden = [d.id for d in report.differences if d not in shown]
    lines += ['', 'Behaviour differences that apply (docs/porting.md has the table):']
    for diff in shown:
        lines.append(f'  [{diff.id}] {diff.topic}: {diff.reactops}.')
        lines.append(f'      Check: {diff.check}.')
        lines.append(f'      Because of: {_places(report.where.get(diff.id, []))}')
    if not shown:
        lines.append('  (none)')
    if hidden:
        lines.append(f'  ({len(hidden)} more with nothing to check: {", ".join(hidden)}; '
                     '--all shows them)')
    return '\n'.join(lines)


def _places(where: list[str]) -> str:
    more = len(where) - _SHOWN_PLACES
    return ', '.join(where[:_SHOWN_PLACES]) + (f' and {more} more' if more > 0 else '')


def _charmhelpers(report: PortReport) -> list[str]:
    """A line on the uses that need charmhelpers itself, if there are any."""
    needing = sum(1 for use in report.uses if use.status == 'needs-package')
    if not needing:
        return []
    if report.charmhelpers:
        return ['', f'{needing} use(s) need charmhelpers itself: the charm packs it in '
                    f'{report.charmhelpers}, which serves them.']
    return ['', f'{needing} use(s) need charmhelpers itself, which the charm does not pack '
                '(in lib/ or venv/): pack it with the charm, or replace those calls.']

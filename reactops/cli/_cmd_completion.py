"""``reactops completion bash|zsh``: a shell completion script, generated from the parser.

The script completes the command names (aliases too), each command's options, the values
of options that take a fixed set (``--format json``), and directories after
``--model-dir``; other arguments complete as file names. It knows nothing of the model
(application and unit names), so it needs no reactops process while completing.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

__all__ = ['bash_script', 'register', 'zsh_script']

SHELLS = ('bash', 'zsh')


def register(subparsers: Any) -> None:
    """Add ``reactops completion``."""
    help = 'print a completion script for bash or zsh'
    parser: argparse.ArgumentParser = subparsers.add_parser(
        'completion', help=help,
        description=f'{help}: "source <(reactops completion bash)" in ~/.bashrc, or '
                    '"source <(reactops completion zsh)" in ~/.zshrc after compinit')
    parser.add_argument('shell', choices=SHELLS)
    parser.set_defaults(func=_completion)


def _completion(args: argparse.Namespace) -> int:
    from . import build_parser

    parser = build_parser()
    sys.stdout.write(bash_script(parser) if args.shell == 'bash' else zsh_script(parser))
    return 0


class _Spec:
    """What the scripts need of the parser: the program's options, each command (every
    name it answers to) with its options and fixed positional values, and the options
    that take a value, before the command (key '') or after it (key: the command's
    names joined by '|'), with their fixed values (else ['<dir>'], ['<file>'], or ['<>']
    for a value that is neither)."""

    def __init__(self, parser: argparse.ArgumentParser):
        self.global_options = _options(parser)
        self.commands: list[tuple[list[str], str, list[str]]] = []  # (names, help, words)
        self.valued: dict[tuple[str, str], list[str]] = {}
        self._take_valued('', parser)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        helps = {action.dest: action.help or '' for action in sub._choices_actions}
        by_parser: dict[int, list[str]] = {}
        for name, command in sub.choices.items():
            by_parser.setdefault(id(command), []).append(name)
        for names in by_parser.values():
            command = sub.choices[names[0]]
            words = _options(command)
            for action in command._actions:
                if not action.option_strings and action.choices:
                    words += [str(choice) for choice in action.choices]
            self._take_valued('|'.join(names), command)
            self.commands.append((names, helps.get(names[0], ''), words))

    def _take_valued(self, names: str, parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if action.option_strings and action.nargs != 0:
                metavar = str(action.metavar or action.dest).upper()
                kind = 'dir' if 'DIR' in metavar else 'file' if 'FILE' in metavar else ''
                for option in action.option_strings:
                    self.valued[names, option] = [str(c) for c in action.choices or ()] \
                        or [f'<{kind}>']

    def valued_patterns(self) -> list[tuple[str, str, list[str]]]:
        """(shell pattern of "COMMAND OPTION", the option, its values) of each option that
        takes a value."""
        found = []
        for (names, option), values in sorted(self.valued.items()):
            pattern = '|'.join(f"'{name} {option}'" for name in names.split('|'))
            found.append((pattern, option, values))
        return found

    @property
    def skip(self) -> str:
        """The shell pattern of the options before the command that take a value."""
        return '|'.join(option for names, option in sorted(self.valued) if not names)

    @property
    def names(self) -> list[str]:
        return [name for names, _help, _words in self.commands for name in names]


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [option for action in parser._actions for option in action.option_strings
            if action.help != argparse.SUPPRESS]


def bash_script(parser: argparse.ArgumentParser) -> str:
    """The bash completion script of *parser*'s program."""
    spec = _Spec(parser)
    valued_cases = ''.join(f'        {pattern}) {_bash_values(values)}; return ;;\n'
                           for pattern, _option, values in spec.valued_patterns())
    command_cases = ''.join(
        f'        {"|".join(names)}) words={shlex.quote(" ".join(words))} ;;\n'
        for names, _help, words in spec.commands)
    skip = spec.skip
    return f"""# bash completion for {parser.prog} (made by "{parser.prog} completion bash")
_{parser.prog}() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local command="" words="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            {skip}) ((i++)) ;;
            -*) ;;
            *) command="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    case "$command $prev" in
{valued_cases}    esac
    case "$command" in
        "") COMPREPLY=($(compgen -W {shlex.quote(" ".join(spec.global_options + spec.names))} \\
                -- "$cur")); return ;;
{command_cases}    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    if [[ "$cur" != -* ]]; then
        COMPREPLY+=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -F _{parser.prog} {parser.prog}
"""


def zsh_script(parser: argparse.ArgumentParser) -> str:
    """The zsh completion script of *parser*'s program (for a shell that ran compinit)."""
    spec = _Spec(parser)
    described = '\n'.join(
        f'        {_zsh_quote(name + ":" + " ".join(help.split()).replace(":", "-"))}'
        for names, help, _words in spec.commands for name in names)
    answers = {'<dir>': '_files -/', '<file>': '_files', '<>': ':'}
    valued_cases = ''.join(
        f'        {pattern}) '
        f'{answers.get(values[0]) or "compadd -- " + " ".join(map(_zsh_quote, values))}'
        f'; return ;;\n'
        for pattern, _option, values in spec.valued_patterns())
    command_cases = ''.join(
        f'        {"|".join(names)}) words=({" ".join(_zsh_quote(w) for w in words)}) ;;\n'
        for names, _help, words in spec.commands)
    skip = spec.skip
    globals_ = ' '.join(_zsh_quote(option) for option in spec.global_options)
    return f"""#compdef {parser.prog}
# zsh completion for {parser.prog} (made by "{parser.prog} completion zsh")
_{parser.prog}() {{
    local command="" i
    local -a commands
    commands=(
{described}
    )
    for ((i = 2; i < CURRENT; i++)); do
        case "${{words[i]}}" in
            {skip}) ((i++)) ;;
            -*) ;;
            *) command="${{words[i]}}"; break ;;
        esac
    done
    case "$command ${{words[CURRENT-1]}}" in
{valued_cases}    esac
    if [[ -z "$command" ]]; then
        if [[ "$PREFIX" == -* ]]; then
            compadd -- {globals_}
        else
            _describe command commands
        fi
        return
    fi
    local -a choices
    case "$command" in
{command_cases.replace('words=(', 'choices=(')}    esac
    compadd -- "${{choices[@]}}"
    [[ "$PREFIX" == -* ]] || _files
}}
if (( $+functions[compdef] )); then
    compdef _{parser.prog} {parser.prog}
fi
"""


def _bash_values(values: list[str]) -> str:
    """The bash that completes an option's value (see :class:`_Spec` for *values*)."""
    answers = {'<dir>': 'COMPREPLY=($(compgen -d -- "$cur"))',
               '<file>': 'COMPREPLY=($(compgen -f -- "$cur"))', '<>': 'COMPREPLY=()'}
    return answers.get(values[0]) or \
        f'COMPREPLY=($(compgen -W {shlex.quote(" ".join(values))} -- "$cur"))'


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"

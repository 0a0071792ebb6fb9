"""Packaging for reactops; tool configuration lives in pyproject.toml."""

import re
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# Put in site-packages beside the package: every interpreter of that environment then
# answers `import ops` with reactops when no real ops is installed (see
# _reactops_ops.py and docs/ops-compatibility.md).
OPS_ALIAS_PTH = 'reactops-ops.pth'
# One version, reactops.__version__, read as text (importing the package needs its deps).
VERSION = re.search(r"^__version__ = '([^']+)'$",
                    (HERE / 'reactops' / '__init__.py').read_text(encoding='utf-8'),
                    re.MULTILINE)[1]

# The lowest versions are the ones the whole test suite passes with on Python 3.10 and 3.13
# (`nox -s lowest` installs exactly these). PyYAML 5.1 is the first with dump(sort_keys=);
# it has no wheels for these Pythons, so it builds without libyaml and the tests then go
# through the Python loader reactops falls back to. networkx 2.4 is the first that imports
# on 3.10 (older ones take Mapping from collections). blinker 1.0 is its first stable API
# (0.8 and 0.9 pass the signal tests too). No upper bounds: no release is known to break
# reactops. noxfile.py reads this list: keep it a literal.
INSTALL_REQUIRES = [
    'PyYAML>=5.1',
    'blinker>=1.0',
    'networkx>=2.4',
]
# What the test suite needs beside the package (the `test` extra).
TEST_REQUIRES = [
    'pytest',
    'hypothesis',
    'websocket-client',
    # tests/test_sdist.py builds the sdist through setuptools' PEP 517 hook, as
    # `python -m build` does, with the setuptools that pyproject.toml asks for.
    'setuptools>=77',
]


class BuildPyWithAliasPth(build_py):
    """build_py that also puts the ``ops`` alias .pth file at the top of the build."""

    def run(self) -> None:
        super().run()
        target = self.build_lib
        if getattr(self, 'editable_mode', False):
            # An editable wheel ships what lands in the unpacked wheel, not the build.
            target = self.get_finalized_command('install').install_lib
        self.copy_file(str(HERE / OPS_ALIAS_PTH), str(Path(target) / OPS_ALIAS_PTH))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode),
                str(Path(self.build_lib) / OPS_ALIAS_PTH)]

setup(
    name='reactops',
    version=VERSION,
    description=(
        'Write Juju charms as flag-driven handlers (charms.reactive style) '
        'on an ops-style event core.'
    ),
    long_description=(HERE / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    # The licence as an SPDX expression plus the file (PEP 639); no licence classifier.
    license_expression='Apache-2.0',
    license_files=['LICENSE'],
    python_requires='>=3.10',
    packages=find_packages(include=['reactops', 'reactops.*']),
    py_modules=['_reactops_ops'],  # the ops alias finder, loaded by reactops-ops.pth
    package_data={'reactops': ['py.typed']},
    zip_safe=False,
    cmdclass={'build_py': BuildPyWithAliasPth},
    entry_points={
        'pytest11': ['reactops = reactops.testing.plugin'],
        'console_scripts': ['reactops = reactops.cli:main_exit'],
    },
    install_requires=INSTALL_REQUIRES,
    extras_require={
        # reactops.pebble runs commands in workload containers (exec) over websockets.
        'pebble': [
            'websocket-client',
        ],
        'test': TEST_REQUIRES,
        # Building the documentation (nox -s docs): furo is the theme of docs/conf.py.
        'docs': [
            'sphinx>=7.2',
            'myst-parser>=2',
            'furo>=2024.1.29',
        ],
        'dev': [
            *TEST_REQUIRES,
            'ruff',
            'mypy',
            'types-PyYAML',
            'sphinx',
            'myst-parser',
            'furo',  # the docs' theme (docs/conf.py)
            'nox',
        ],
    },
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Intended Audience :: Developers',
        'Operating System :: POSIX :: Linux',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Topic :: System :: Installation/Setup',
        'Typing :: Typed',
    ],
)

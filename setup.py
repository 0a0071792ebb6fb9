"""Packaging for reactops; tool configuration lives in pyproject.toml."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent

setup(
    name='reactops',
    version='0.1.0.dev0',
    description=(
        'Write Juju charms as flag-driven handlers (charms.reactive style) '
        'on an ops-style event core.'
    ),
    long_description=(HERE / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.10',
    packages=find_packages(include=['reactops', 'reactops.*']),
    package_data={'reactops': ['py.typed']},
    zip_safe=False,
    entry_points={
        'pytest11': ['reactops = reactops.testing.plugin'],
        'console_scripts': ['reactops = reactops.cli:main_exit'],
    },
    install_requires=[
        'PyYAML',
        'blinker',
        'networkx',
    ],
    extras_require={
        'test': [
            'pytest',
            'hypothesis',
        ],
        'dev': [
            'pytest',
            'hypothesis',
            'ruff',
            'mypy',
            'types-PyYAML',
            'sphinx',
            'myst-parser',
            'nox',
        ],
    },
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Intended Audience :: Developers',
        'License :: OSI Approved :: Apache Software License',
        'Operating System :: POSIX :: Linux',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Topic :: System :: Installation/Setup',
        'Typing :: Typed',
    ],
)

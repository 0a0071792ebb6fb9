"""Sphinx configuration for the reactops documentation (MyST Markdown pages, autodoc API)."""

import sys
from importlib import metadata
from pathlib import Path

# Document the working tree, also when reactops is not installed in the building environment.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

project = 'reactops'
author = 'The reactops authors'
copyright = 'The reactops authors'
try:
    release = metadata.version('reactops')
except metadata.PackageNotFoundError:
    release = 'dev'
version = release

extensions = [
    'myst_parser',
    'sphinx.ext.autodoc',
    'sphinx.ext.napoleon',
]
# No sphinx.ext.intersphinx: it fetches inventories over the network at build time.

source_suffix = {'.md': 'markdown', '.rst': 'restructuredtext'}
root_doc = 'index'
exclude_patterns = ['_build']

myst_heading_anchors = 3

autodoc_typehints = 'description'
autodoc_member_order = 'bysource'
nitpicky = False

# furo shows long code lines whole, scrolling sideways, where alabaster cut them.
html_theme = 'furo'
html_title = f'reactops {release}'
# _static/ is copied as is: the flag graph's SVG opens full size from there.
html_static_path = ['_static']
html_css_files = ['zoomable.css']
html_js_files = ['zoomable.js']  # zoom buttons on the flag graph; local, no CDN

# reactops re-exports names the way ops does (CharmMeta from reactops.meta via reactops.charm,
# the errors via reactops.model), so a bare cross-reference such as `CharmMeta` or `type`
# has several equal targets. Sphinx warns about each; the link it picks is right either way.
suppress_warnings = ['ref.python']

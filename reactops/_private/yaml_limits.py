"""The bounds on the charm YAML reactops reads (see ``_private.yaml.load_bounded``).

Kept apart from the loader, which imports PyYAML: a hook whose metadata is cached reads
the files' text (up to :data:`MAX_BYTES`) without importing it.
"""

from __future__ import annotations

__all__ = ['MAX_ALIAS_VALUES', 'MAX_BYTES', 'MAX_DEPTH']

#: The largest charm YAML file reactops reads, in bytes (1 MiB: a large charm's files are a
#: few tens of KiB).
MAX_BYTES = 1 << 20
#: How many values aliases may add to a document once each alias stands for a copy of
#: what it refers to (plenty for YAML that shares a few defaults through anchors).
MAX_ALIAS_VALUES = 100_000
#: How deeply collections may nest (an action's JSON schema rarely passes 10).
MAX_DEPTH = 100

"""Interface layers that ship with reactops.

An interface layer implements one relation interface (for example ``http``) as
``Endpoint`` subclasses for the roles ``provides``, ``requires`` and ``peers``. Charms
find them here, in their own ``interfaces/`` directory, or in installed packages that
declare the ``reactops.interfaces`` entry-point group. The layers themselves arrive with
the Endpoint machinery; until then this package holds none.
"""

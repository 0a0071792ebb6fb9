"""Interface layers that ship with reactops.

An interface layer implements one relation interface (for example ``http``) as
:class:`~reactops.Endpoint` subclasses for the roles ``provides``, ``requires`` and
``peers``. :func:`reactops.reactive.endpoint.find_endpoint_class` looks an endpoint's
class up in this order (the first level with an implementation wins; two at one level
are an error naming both):

1. the charm's own files: ``interfaces/<interface>/<role>.py``, or the legacy
   ``hooks/relations/<interface>/<role>.py`` and ``reactive/relations/<interface>/<role>.py``
   (the file's unique most-derived Endpoint subclass);
2. installed packages: an entry point in group ``reactops.interfaces`` named
   ``<interface>.<role>`` whose object is the class, e.g. in ``pyproject.toml``::

       [project.entry-points."reactops.interfaces"]
       "pgsql.requires" = "my_pgsql_layer:PostgreSQLClient"

3. the built-ins here: module ``reactops.layers.<interface>`` (dashes become
   underscores: ``juju-info`` is ``reactops.layers.juju_info``) that either has a mapping
   ``ENDPOINTS = {'provides': cls, 'requires': cls, 'peers': cls}`` or module attributes
   ``Provides``, ``Requires`` and ``Peers`` (the role, capitalised). A module may define
   only the roles it implements.

An endpoint whose interface has no implementation gets a plain ``Endpoint``, so its
automatic flags (``endpoint.<name>.joined`` ...) exist anyway.

Built-in layers (each module's docstring lists the flags it manages):

* ``http`` (:mod:`reactops.layers.http`)
* ``juju-info`` (:mod:`reactops.layers.juju_info`)
* ``pgsql`` (:mod:`reactops.layers.pgsql`)
* ``mysql`` (:mod:`reactops.layers.mysql`)
* ``peers`` (:mod:`reactops.layers.peers`; its ``LeaderCoordinatedPeers`` is a base for
  charms' own peer interfaces)
"""

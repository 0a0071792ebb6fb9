"""Test charms without Juju: state in, one event, state out.

Being built; see ``_state.py`` for the State types.
"""

#!/usr/bin/env python3
"""Reference reactive charm: handlers in reactive/, an endpoint's layer in hooks/relations."""

import faults  # noqa: F401  (installs the SQL fault points before the store opens)

import reactops

if __name__ == '__main__':
    reactops.main()

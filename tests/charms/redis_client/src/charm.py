#!/usr/bin/env python3
"""Entry point of the redis client test charm (reactive handlers only)."""

import reactops

if __name__ == '__main__':  # pragma: nocover
    reactops.main()

#!/usr/bin/env python3
"""Entry point of the web probe, a purely reactive charm: the handlers live in reactive/."""

import reactops

if __name__ == '__main__':  # pragma: nocover
    reactops.main()

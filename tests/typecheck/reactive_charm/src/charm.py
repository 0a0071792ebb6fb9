#!/usr/bin/env python3
"""The entry point of a purely reactive charm: handlers live in reactive/ and the interface."""

import reactops

if __name__ == '__main__':  # pragma: nocover
    reactops.main()

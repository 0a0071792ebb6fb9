#!/usr/bin/env python3
"""Entry point of the tiny database charm: the handlers live in reactive/."""

import reactops

if __name__ == '__main__':  # pragma: nocover
    reactops.main()

#!/usr/bin/env python3
"""A purely reactive charm: its handlers are in reactive/."""

import reactops

if __name__ == '__main__':
    reactops.main()

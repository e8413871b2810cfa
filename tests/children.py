"""Processes the tests start and stop as a user would."""

from __future__ import annotations

import signal


def ctrl_c_heard() -> None:
    """`preexec_fn` for a child the test stops with SIGINT: Ctrl-C delivered as a terminal delivers it.
    A test run started in the background by a shell (`pytest &`) ignores SIGINT, and its children
    would inherit that and never see the stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

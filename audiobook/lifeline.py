"""Worker processes end when the build's process dies, however it dies (kill -9 included).

A build's workers are forked by multiprocessing's forkserver, itself a child of the build.
Linux's PR_SET_PDEATHSIG has the kernel signal a process when its parent dies: the forkserver
asks for SIGKILL when the build goes (it holds nothing to tidy), each worker for SIGTERM when
the forkserver goes — the same stop as Ctrl-C's, which unwinds the work in hand and removes
what it was writing. No thread, no polling. Elsewhere (no prctl) it does nothing.

The forkserver asks as it starts: parallel.WorkerPool has it preload `audiobook.forkserver_lifeline`,
a module imported nowhere else.
"""

from __future__ import annotations

import ctypes
import os
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int) -> None:
    """Be sent `sig` when the parent process dies; exit now if it already has."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request was made
        os.kill(os.getpid(), sig)

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
BUILD_PID = "AUDIOBOOK_BUILD_PID"  # set by the build before its forkserver starts: whom its processes live for


def die_with_parent(sig: int) -> None:
    """Be sent `sig` when the parent process dies; now if it already has — or if the build has:
    a build killed between forking a process and its asking here leaves it already orphaned,
    its parent the init process, so "has my parent changed?" cannot tell."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return
    build = os.environ.get(BUILD_PID, "")
    if os.getppid() != parent or (build.isdigit() and not running(int(build))):
        os.kill(os.getpid(), sig)


def running(pid: int) -> bool:
    """Whether process `pid` is alive (a zombie, killed and not yet reaped, is not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False

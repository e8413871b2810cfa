"""The worker pool: results in order, one BLAS thread per worker, no worker outlives its parent."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from audiobook.parallel import WorkerPool, run_parallel


def _blas_threads(_item) -> list[int]:
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def _square(x: int) -> int:
    return x * x


def test_results_come_back_in_order():
    with WorkerPool(2) as pool:
        assert run_parallel(_square, list(range(20)), total=20, pool=pool) == [x * x for x in range(20)]


def test_each_worker_runs_numpy_on_one_thread():
    """The workers are already one per core: a BLAS thread per core in each would oversubscribe."""
    with WorkerPool(2) as pool:
        found = run_parallel(_blas_threads, [None] * 4, total=4, pool=pool)
    assert all(threads and set(threads) == {1} for threads in found)


ORPHAN_SCRIPT = '''
import os, sys, time
from pathlib import Path
from audiobook.parallel import WorkerPool, run_parallel

def work(folder):
    part = Path(folder) / f"{os.getpid()}.part"
    part.write_text("")
    try:
        time.sleep(120)
    finally:
        part.unlink()

if __name__ == "__main__":
    with WorkerPool(2) as pool:
        run_parallel(work, [sys.argv[1]] * 4, total=4, pool=pool)
'''


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_stop_and_clean_up_when_the_parent_is_killed(tmp_path):
    """kill -9 (or the OOM killer) on a build: its workers must not work on, or wait forever."""
    script = tmp_path / "pool.py"
    script.write_text(ORPHAN_SCRIPT)
    work = tmp_path / "work"
    work.mkdir()
    parent = subprocess.Popen([sys.executable, str(script), str(work)])
    try:
        deadline = time.monotonic() + 60
        while len(list(work.glob("*.part"))) < 2:
            assert parent.poll() is None and time.monotonic() < deadline, "the workers never started"
            time.sleep(0.1)
        workers = [int(p.stem) for p in work.glob("*.part")]
        assert all(_running(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)
    assert not list(work.glob("*.part"))  # each unwound the work in hand

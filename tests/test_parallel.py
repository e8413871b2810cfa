"""The worker pool: results in order, one BLAS thread per worker, and workers that stop when told."""

from __future__ import annotations

import os
import signal
import time

from audiobook import parallel
from audiobook.parallel import WorkerPool, run_parallel


def _blas_threads(_item, _progress) -> list[int]:
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def _square(x: int, progress) -> int:
    progress(1)
    return x * x


def test_results_come_back_in_order_and_the_works_progress_reaches_the_caller():
    seen = []
    with WorkerPool(2) as pool:
        assert run_parallel(_square, list(range(20)), total=20, pool=pool,
                            on_progress=lambda done, total: seen.append(done)) == [x * x for x in range(20)]
    assert seen == sorted(seen) and seen[-1] == 20  # each item's progress(1), from the workers' processes
    here = []
    assert run_parallel(_square, [3, 4], total=2, jobs=1, on_progress=lambda d, t: here.append(d)) == [9, 16]
    assert here == [1, 2]


def test_each_worker_runs_numpy_on_one_thread():
    """The workers are already one per core: a BLAS thread per core in each would oversubscribe."""
    with WorkerPool(2) as pool:
        found = run_parallel(_blas_threads, [None] * 4, total=4, pool=pool)
    assert all(threads and set(threads) == {1} for threads in found)


class _SlowToSend:
    """A result that takes a while to hand back (its pickling waits): the moment a stop must not
    be mistaken for the item's result."""

    def __init__(self, flag: str):
        self.flag = flag

    def __reduce__(self):
        import time
        from pathlib import Path

        Path(self.flag).write_text(str(os.getpid()))
        time.sleep(3)
        return (str, ("sent",))


def _slow_result(flag: str, _progress) -> _SlowToSend:
    return _SlowToSend(flag)


def test_a_worker_stopped_while_handing_back_a_result_exits(tmp_path):
    """concurrent.futures catches a SystemExit raised while a worker sends its result and sends it
    as the result instead: the worker lived on, ignoring SIGTERM, and the build's exit waited for
    it forever. Stopped there, a worker now exits."""
    flag = tmp_path / "sending"
    pool = WorkerPool(1)
    executor, _ = pool.executor()
    future = executor.submit(parallel._Stoppable(_slow_result), str(flag))
    deadline = time.monotonic() + 30
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    pid = int(flag.read_text())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    alive = _alive(pid)
    pool.terminate()
    pool.close()
    assert not alive, "the stopped worker lived on"
    assert future.exception() is not None  # the item has no result, and says so


def _alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"

"""Run work on every core, in processes, with progress reported back to the caller.

The work is handed its progress channel: `fn(item, progress)`, where `progress(amount)` says
that many more units are done. In a worker it goes through the pool's queue; the caller's
`on_progress(done, total)` runs in the calling process, so the CLI can draw a bar while the
library never prints.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from threadpoolctl import threadpool_limits

from audiobook.files import remove_unfinished
from audiobook.lifeline import BUILD_PID, die_with_parent

STOP_WAIT_S = 8.0  # how long a stop waits for the workers to tidy up
Report = Callable[[float], None]  # what the work is handed: progress(amount) — that much more is done
_queue = None  # the pool's progress queue, in each of its workers (set by _init): the plumbing of `_to_queue`


def _init(queue) -> None:
    """In each worker: progress goes to `queue`; Ctrl-C is the parent's to handle (it stops the
    workers), and a stop (SIGTERM) unwinds the work in hand, so no half-written file is left."""
    global _queue
    _queue = queue
    die_with_parent(signal.SIGTERM)  # the forkserver gone (the build killed): stop as on Ctrl-C
    # one thread each: numpy's and scipy's BLAS would otherwise start a thread per core in every
    # worker, and the workers, already one per core, would fight over the cores (a 2-core build
    # rendered 20 % slower). The libraries are loaded first: only those loaded can be limited.
    import numpy  # noqa: F401
    import scipy.signal  # noqa: F401

    threadpool_limits(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)


def _to_queue(amount: float) -> None:
    """A worker's progress channel: to the process that runs the pool."""
    if _queue is not None:
        _queue.put(amount)


_working = False  # in a worker: inside the work (a stop unwinds it), or between items (a stop just exits)


def _stop(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: a second stop must not break the unwinding
    if not _working:
        # idle, or handing a result back: concurrent.futures would catch a SystemExit raised there,
        # send it as the item's result and carry on — a worker ignoring SIGTERM, waiting forever
        remove_unfinished()
        os._exit(128 + signum)
    raise SystemExit(128 + signum)


class _Stoppable:
    """`fn` as a worker runs it: when stopped (SIGTERM), the work in hand unwinds (its `finally`
    and `except` clauses remove what it was writing), then the worker exits — it takes no more."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn

    def __call__(self, item: Any) -> Any:
        global _working
        try:
            _working = True
            result = self.fn(item, _to_queue)
            _working = False  # (a stop from here on exits at once: see _stop)
            return result
        except SystemExit as exc:
            remove_unfinished()  # whatever the unwinding did not reach (a stop between two statements)
            os._exit(exc.code if isinstance(exc.code, int) else 1)
        finally:
            _working = False


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class WorkerPool:
    """Worker processes kept for several rounds of work (a build's analysis, rendering and
    checking), so each round does not pay again for starting them and importing numpy."""

    def __init__(self, jobs: int | None = None):
        self.jobs = jobs or default_jobs()
        self._pool: ProcessPoolExecutor | None = None
        self._queue = None
        self._stopped = False

    def executor(self) -> tuple[ProcessPoolExecutor, Any]:
        if self._pool is None:
            ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
            if ctx.get_start_method() == "forkserver":  # it dies with this process (audiobook.lifeline)
                ctx.set_forkserver_preload(["__main__", "audiobook.forkserver_lifeline"])
                os.environ[BUILD_PID] = str(os.getpid())  # (the forkserver, started later, inherits it)
            self._queue = ctx.SimpleQueue()
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, initializer=_init,
                                             initargs=(self._queue,))
            self._stopped = False
        return self._pool, self._queue

    def terminate(self) -> None:
        """Stop the workers now (Ctrl-C, or a failure): not after the files they are on."""
        if self._pool is not None and not self._stopped:
            self._stopped = True
            workers = list(getattr(self._pool, "_processes", {}).values())
            for p in workers:
                p.terminate()
            # each unwinds what it was on (removing the files it was writing, stopping its ffmpeg):
            # wait for that, so no file is half-written once this process has said it stopped
            deadline = time.monotonic() + STOP_WAIT_S
            for p in workers:
                p.join(max(0.0, deadline - time.monotonic()))
            for p in workers:
                if p.is_alive():  # it did not stop: it must not keep this process from exiting
                    p.kill()
                    p.join(1.0)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.terminate()
        self.close()


def run_parallel(fn: Callable[..., Any], items: Sequence[Any] | Iterable[Any], *, total: float, jobs: int | None = None,
                 on_progress: Callable[[float, float], None] | None = None,
                 pool: WorkerPool | None = None,
                 on_result: Callable[[int, Any], None] | None = None, count: int | None = None) -> list[Any]:
    """`[fn(item, progress) for item in items]` on `jobs` processes (default: every core), results
    in order.

    `items` may be made as the work goes (a generator, `count` of them): each is handed to a worker
    as soon as it is made, so the workers start while this process makes the next.

    `fn` calls `progress(amount)` as it goes; `on_progress(done, total)` sees the running sum.
    `on_result(index, result)` runs here as each item finishes (a build records each track as
    it is done, so a build stopped half-way resumes from there).
    The first exception raised by any item is raised here, after the other workers stop.
    With `pool`, its workers are used (and left running for the next round).
    """
    n = len(items) if count is None else count  # type: ignore[arg-type]
    jobs = min((pool.jobs if pool else jobs) or default_jobs(), max(1, n))
    if jobs == 1 and pool is None:
        return _serial(fn, items, total, on_progress, on_result)
    owned = pool is None
    pool = pool or WorkerPool(jobs)
    executor, queue = pool.executor()
    done = 0.0
    stop = threading.Event()

    def drain() -> None:
        nonlocal done
        while not stop.is_set() or not queue.empty():
            if queue.empty():
                stop.wait(0.05)
                continue
            done += queue.get()
            if on_progress:
                on_progress(min(done, total), total)

    watcher = threading.Thread(target=drain, daemon=True)
    watcher.start()
    try:
        futures = {executor.submit(_Stoppable(fn), item): i for i, item in enumerate(items)}
        results: list[Any] = [None] * len(futures)
        for f in as_completed(futures):
            if f.exception() is not None:
                for other in futures:
                    other.cancel()
                raise f.exception()
            results[futures[f]] = f.result()
            if on_result:
                on_result(futures[f], results[futures[f]])
        return results
    except BaseException:
        pool.terminate()
        raise
    finally:
        if owned:
            pool.close()
        stop.set()
        watcher.join()


def run_here(fn, items: Iterable[Any], total: float, on_progress) -> list[Any]:
    """Like run_parallel, in this process: `fn(item, progress)`'s progress reaches `on_progress`."""
    return _serial(fn, items, total, on_progress)


def _serial(fn, items: Iterable[Any], total: float, on_progress, on_result=None) -> list[Any]:
    done = 0.0

    def progress(amount: float) -> None:
        nonlocal done
        done += amount
        if on_progress:
            on_progress(min(done, total), total)

    results = []
    for i, item in enumerate(items):
        results.append(fn(item, progress))
        if on_result:
            on_result(i, results[-1])
    return results

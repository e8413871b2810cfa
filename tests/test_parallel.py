"""The worker pool: results in order, and one BLAS thread per worker."""

from __future__ import annotations

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

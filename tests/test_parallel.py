"""The worker pool: results in order, and one BLAS thread per worker."""

from __future__ import annotations

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

"""Run tasks on a thread pool with retries and tracing."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from src.infrastructure.resilience.retry import RetryPolicy, call_with_retry
from src.infrastructure.telemetry.tracing import span

from .task import Task, TaskStatus


class TaskExecutor:
    def __init__(self, max_workers: int = 2, retry_policy: RetryPolicy | None = None) -> None:
        self.retry_policy = retry_policy or RetryPolicy(attempts=1)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="pyagent-task")
        self._futures: dict[int, Future[Any]] = {}
        self.tasks: dict[int, Task] = {}

    def _run(self, task: Task) -> Any:
        def attempt() -> Any:
            task.attempts += 1
            return task.fn(*task.args)

        task.status = TaskStatus.RUNNING
        with span("task.run", task=task.name):
            try:
                task.result = call_with_retry(attempt, self.retry_policy, sleep=lambda _: None)
            except Exception as exc:
                task.status = TaskStatus.FAILED
                task.error = f"{type(exc).__name__}: {exc}"
                return None
        task.status = TaskStatus.DONE
        return task.result

    def submit(self, name: str, fn: Callable[..., Any], *args: Any) -> Task:
        task = Task(name, fn, args)
        self.tasks[task.task_id] = task
        self._futures[task.task_id] = self._pool.submit(self._run, task)
        return task

    def wait_all(self, timeout: float | None = 10.0) -> list[Task]:
        for future in list(self._futures.values()):
            future.result(timeout=timeout)
        return sorted(self.tasks.values(), key=lambda t: t.task_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> TaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

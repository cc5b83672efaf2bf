"""Where the rewrite's worker processes come from: a fork server started early, which
imports libcst and the rewrite once while the process that plans the work goes on (that
process never imports libcst). Apart from `runner` so that a command starts it before
importing the rest of the tool (`cli.main`): it needs only `multiprocessing`."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import threading
from multiprocessing import forkserver

_PRELOADED = ["pyagent_workbench.cli", "pyagent_workbench.rewrite.statements"]
"""What the workers' fork server imports before it forks any: libcst and the rewrite
(a quarter of a second a process), and the command line (each worker runs the parent's
main module again, under another name). Imported once, while the parent goes on."""


def process_context() -> multiprocessing.context.BaseContext:
    """Where the workers come from. A fork server (`start_fork_server`): a fresh
    single-threaded process that imports libcst and the rewrite once (`_PRELOADED`), so
    that the process planning the work need not (it never runs libcst) and each worker
    starts with them; the state a worker needs is sent to it (`runner._install`: tens of
    kilobytes, Django's plan). Where no fork server could start, from the main thread a
    fork of this process (the workers import libcst themselves), from any other thread
    (the workbench runs its diff and apply in threads, and a fork could copy into the
    child a lock another thread holds) a fresh interpreter."""
    start_fork_server()
    return multiprocessing.get_context(start_method())


def start_method() -> str:
    """How new workers would start now (`process_context`)."""
    if _fork_server_pid == os.getpid():
        return "forkserver"
    return "fork" if threading.current_thread() is threading.main_thread() else "spawn"


_fork_server_pid: int | None = None
"""The process that started the workers' fork server: only there is it of use (a child
forked from that process inherits the record of it, and cannot ask after a process that
is not its own child)."""


def start_fork_server() -> None:
    """Start the workers' fork server now, if this is the main thread: it imports what
    the workers need while the caller reads the repo (`diff` and `apply` start it
    first, the workbench when it opens), and a pool started later waits only for what
    is left of that. From the main thread, too, because the fork server needs
    multiprocessing's resource tracker, which is handed `sys.stderr`'s descriptor: a
    host that replaces `sys.stderr` (Textual does, with a capture whose `fileno()` is
    -1) would make starting it later, from a worker thread (the workbench's first
    whole-plan diff), fail with "bad value(s) in fds_to_keep". Where it cannot start (a
    temporary folder whose path is too long for a socket's; a server inherited from the
    process this one was forked from), the workers come from elsewhere
    (`process_context`)."""
    global _fork_server_pid
    if _fork_server_pid == os.getpid() or (
            threading.current_thread() is not threading.main_thread()):
        return
    try:
        multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOADED)
        forkserver.ensure_running()
    except OSError:
        return
    _fork_server_pid = os.getpid()

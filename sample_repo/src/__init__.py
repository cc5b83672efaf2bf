"""PyAgent: a miniature LLM agent runtime.

The real codebase keeps everything under two very large trees:

* ``src.core.base`` -- the flat agent kernel (registry, state, lifecycle,
  command execution and the shared "common" helpers);
* ``src.infrastructure`` -- ~50 feature packages (attention, sampling, cache,
  fleet, api, ...).

``src.db`` holds the small sqlite persistence layer.
"""

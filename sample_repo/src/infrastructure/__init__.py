"""Infrastructure packages of PyAgent.

Sub-packages are deliberately *not* imported here: importing
``src.infrastructure`` must stay cheap. Import the feature package you need,
e.g. ``src.infrastructure.orchestration.engine_core``.
"""

"""Project-wide default values (the "common" group of ``src.core.base``).

Other modules commonly pull these in with a star import, so ``__all__`` is the
public contract of this module.
"""

__all__ = [
    "DEFAULT_AGENT_NAME",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_TOP_K",
    "DEFAULT_TOP_P",
    "DEFAULT_BLOCK_SIZE",
    "DEFAULT_NUM_BLOCKS",
    "DEFAULT_TIMEOUT_S",
    "DEFAULT_HISTORY_LIMIT",
    "DEFAULT_ALLOWED_COMMANDS",
]

DEFAULT_AGENT_NAME = "assistant"
DEFAULT_MAX_TOKENS = 16
DEFAULT_TEMPERATURE = 1.0
DEFAULT_TOP_K = 8
DEFAULT_TOP_P = 0.9
DEFAULT_BLOCK_SIZE = 16
DEFAULT_NUM_BLOCKS = 256
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_HISTORY_LIMIT = 50
DEFAULT_ALLOWED_COMMANDS = ("echo", "true", "false", "printf")

# Not exported: only used by the seeded helpers in base_utilities.
_INTERNAL_SEED = 0x5EED

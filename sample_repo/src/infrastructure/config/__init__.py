"""Settings and configuration files."""

from .loader import load_settings, read_config_file
from .settings import ENV_PREFIX, Settings

__all__ = ["ENV_PREFIX", "Settings", "load_settings", "read_config_file"]

"""pyagent-workbench: restructure a large Python codebase into tiers without breaking it."""

__version__ = "0.1.0"

"""Fleet management and health checking."""

from .fleet_manager import FleetManager
from .health import DEAD, HEALTHY, SUSPECT, HealthChecker

__all__ = ["DEAD", "HEALTHY", "SUSPECT", "FleetManager", "HealthChecker"]

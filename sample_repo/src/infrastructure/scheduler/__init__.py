"""Request queueing and batch admission."""

from .policies import Batch, schedule_batch
from .queue import RequestQueue

__all__ = ["Batch", "RequestQueue", "schedule_batch"]

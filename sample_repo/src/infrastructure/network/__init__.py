"""Wire protocol and transports."""

from .protocol import Frame, FrameError, FrameKind
from .transport import Endpoint, LoopbackNetwork

__all__ = ["Endpoint", "Frame", "FrameError", "FrameKind", "LoopbackNetwork"]

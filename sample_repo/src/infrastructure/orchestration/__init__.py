"""Engine orchestration: requests, the LLM engine, routing and the LLM agent."""

from .engine_core import LLMEngine
from .llm_agent import LLMAgent
from .request import GenerationResult, Request
from .request_router import RequestRouter

__all__ = ["GenerationResult", "LLMAgent", "LLMEngine", "Request", "RequestRouter"]

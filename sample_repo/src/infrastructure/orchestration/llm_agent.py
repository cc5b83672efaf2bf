"""An agent that answers with the LLM engine.

Registered lazily in the agent registry as
``"src.infrastructure.orchestration.llm_agent:LLMAgent"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from src.core.base.base_agent import BaseAgent
from src.core.base.prompt_templates import get_template
from src.infrastructure.sampling.params import SamplingParams

from .engine_core import LLMEngine

if TYPE_CHECKING:
    from src.core.base.agent_config import AgentConfig
    from src.core.base.agent_context import AgentContext


class LLMAgent(BaseAgent):
    default_name = "llm"
    capabilities = ("generate", "answer")
    _shared_engine: ClassVar[LLMEngine | None] = None

    def __init__(self, config: AgentConfig | None = None, engine: LLMEngine | None = None, **kwargs: object) -> None:
        super().__init__(config, **kwargs)  # type: ignore[arg-type]
        self._engine = engine

    @property
    def engine(self) -> LLMEngine:
        if self._engine is None:
            if LLMAgent._shared_engine is None:
                LLMAgent._shared_engine = LLMEngine()
            self._engine = LLMAgent._shared_engine
        return self._engine

    def _respond(self, message: str, context: AgentContext | None) -> str:
        prompt = get_template("task").render(task=message)
        params = SamplingParams(max_tokens=self.config.max_tokens, repetition_penalty=1.3)
        return self.engine.generate(prompt, params).text

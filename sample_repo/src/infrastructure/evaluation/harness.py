"""Run the engine over a small dataset and score the answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from src.infrastructure.decoding import greedy
from src.infrastructure.orchestration.engine_core import LLMEngine
from src.infrastructure.sampling.params import SamplingParams

from .scorers import bleu1, exact_match, token_f1


@dataclass
class EvalReport:
    scores: dict[str, float] = field(default_factory=dict)
    predictions: list[str] = field(default_factory=list)


class EvalHarness:
    METRICS = {"exact_match": exact_match, "f1": token_f1, "bleu1": bleu1}

    def __init__(self, engine: LLMEngine | None = None, max_tokens: int = 6) -> None:
        self.engine = engine or LLMEngine()
        self.params = SamplingParams(max_tokens=max_tokens, temperature=0, repetition_penalty=1.3)

    def run(self, dataset: Sequence[tuple[str, str]]) -> EvalReport:
        report = EvalReport()
        totals = dict.fromkeys(self.METRICS, 0.0)
        for prompt, reference in dataset:
            prediction = self.engine.generate(prompt, self.params).text
            report.predictions.append(prediction)
            for name, metric in self.METRICS.items():
                totals[name] += metric(prediction, reference)
        report.scores = {name: total / max(1, len(dataset)) for name, total in totals.items()}
        return report

    def greedy_reference(self, prompt: str, max_tokens: int = 4) -> list[int]:
        """Stateless greedy decode (re-runs the prompt each step) to cross-check the engine."""
        runner = self.engine.worker.runner
        counter = iter(range(10**9, 2 * 10**9))

        def step(ids: Sequence[int]) -> list[float]:
            seq = next(counter)
            try:
                return runner.prefill(seq, ids)
            finally:
                runner.release(seq)

        prompt_ids = self.engine.tokenizer.encode(prompt, add_bos=True)
        return greedy.greedy_decode(step, prompt_ids, max_tokens, self.engine.tokenizer.eos_id)

"""Voyager-style skill library: remember programs that solved tasks."""

from __future__ import annotations

from dataclasses import dataclass

from src.infrastructure.memory.episodic import EpisodicMemory
from src.infrastructure.rag.index import embed_text


@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    tool: str
    argument: str


class SkillLibrary:
    def __init__(self) -> None:
        self.memory = EpisodicMemory(capacity=500)
        self.skills: dict[str, Skill] = {}

    def add(self, skill: Skill) -> None:
        if skill.name in self.skills:
            raise ValueError(f"skill {skill.name!r} already learned")
        self.skills[skill.name] = skill
        self.memory.store(skill.name, embed_text(skill.description), tags=[skill.tool])

    def retrieve(self, query: str, k: int = 3) -> list[Skill]:
        return [self.skills[e.text] for score, e in self.memory.recall(embed_text(query), k) if score > 0]

    def __len__(self) -> int:
        return len(self.skills)

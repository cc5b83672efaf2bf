"""Lifelong-learning agent loop (curriculum + skill library)."""

from .explorer import DEFAULT_CURRICULUM, CurriculumTask, Explorer
from .skill_library import Skill, SkillLibrary

__all__ = ["DEFAULT_CURRICULUM", "CurriculumTask", "Explorer", "Skill", "SkillLibrary"]

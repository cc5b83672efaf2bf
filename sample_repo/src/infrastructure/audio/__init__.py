"""Audio features and voice activity detection."""

from .features import frame_signal, rms, wav_energy_profile, zero_crossing_rate
from .vad import EnergyVAD

__all__ = ["EnergyVAD", "frame_signal", "rms", "wav_energy_profile", "zero_crossing_rate"]

"""Top-level test-suite of the PyAgent sample (tests beside modules live in src/)."""

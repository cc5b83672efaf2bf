"""The apply engine: libcst transformers, facades, the change set (diff), the journal,
apply, verify and recover. Headless: never imports Textual."""

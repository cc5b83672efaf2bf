"""The workbench: a Textual UI over the headless core."""

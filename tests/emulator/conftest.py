"""Fixtures for the emulator tests. `glue`: a mocked AWS with the moto glue installed."""

from glue_support import glue  # noqa: F401

"""Wizard Desktop: an offline player for multi-step forms defined in YAML or JSON files.

This module owns the version, the one place it is written.
"""

__version__ = "0.1.0"

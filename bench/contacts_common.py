"""What the contacts benchmarks share: the machine facts written beside every result."""

from __future__ import annotations

from bench.common import machine_facts

__all__ = ["machine_facts"]

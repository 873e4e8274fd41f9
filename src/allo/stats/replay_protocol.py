"""What the day replay and its server agree on: the headers that carry the simulated instant and
the environment variable holding the secret that lets a request set it (the server itself is
`allo.web.simserver`; the replay only speaks HTTP to it)."""

from __future__ import annotations

TIME_HEADER = b"x-allo-simulated-time"
KEY_HEADER = b"x-allo-simulation-key"
KEY_ENV = "ALLO_SIMULATION_KEY"

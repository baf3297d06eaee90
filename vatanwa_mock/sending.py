"""The pace of sending.

A device sends its messages one after another. ``send_speed`` sets the simulated time each
message takes, before the global ``--speed-factor``:

==========  ==================
send_speed  seconds per message
==========  ==================
1           1
2           2
3           4
4           8
==========  ==================
"""

from __future__ import annotations

SECONDS_PER_MESSAGE: dict[int, float] = {1: 1.0, 2: 2.0, 3: 4.0, 4: 8.0}


def interval(send_speed: int, speed_factor: float) -> float:
    """Seconds between two messages of one device at ``send_speed``."""
    return SECONDS_PER_MESSAGE[send_speed] * speed_factor

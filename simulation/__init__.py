"""A discrete-event simulation of a contact centre: agents, skills, queues, shifts.

Pure: numpy and a numba-compiled event loop; no IO, no clock. Times are seconds from
the horizon start. `simulate` runs one seeded replication; `replications` runs many
and summarises them with 95% intervals.
"""

from simulation.engine import simulate
from simulation.model import Agents, Contacts, Mode, Outcome, Queues, ShrinkageMode, Status

__all__ = [
    "Agents",
    "Contacts",
    "Mode",
    "Outcome",
    "Queues",
    "ShrinkageMode",
    "Status",
    "simulate",
]

"""A discrete-event simulation of a contact centre: agents, skills, queues, shifts.

Pure: numpy and a numba-compiled event loop; no IO, no clock. Times are seconds from
the horizon start. `simulate` runs one seeded replication; `replicate` runs many
(through any `map`) and `estimate` gives a figure's 95% interval over them.
`arrivals` draws contacts from a forecast; `clock` measures waits on open hours.
"""

from simulation.clock import open_seconds
from simulation.engine import simulate
from simulation.model import Agents, Contacts, Mode, Outcome, Queues, ShrinkageMode, Status
from simulation.replications import Estimate, estimate, replicate

__all__ = [
    "Agents",
    "Contacts",
    "Estimate",
    "Mode",
    "Outcome",
    "Queues",
    "ShrinkageMode",
    "Status",
    "estimate",
    "open_seconds",
    "replicate",
    "simulate",
]

"""Staffing: from demand per queue per interval to agents required.

Modules:
    erlang_c: M/M/n figures and required agents (SL, ASA, occupancy cap), vectorised.
    erlang_a: M/M/n+M (abandonment) figures and required agents (SL, abandonment).
    chat: concurrency as slots per agent.
    deferred: email/web work within a response window, backlog carried over.
    requirements: `QueuePolicy` and `staff_queues(demand, policies, interval_min)`, the
        one entry point producing the requirements frame (columns in `schema`).
    skill_groups: pooled requirements of queues served by the same agents.
    status: `Status` and `Binding` codes written with every answer.
"""

"""Evaluation of a roster: heads per queue (allocation), outcomes (analytic estimate), cost."""

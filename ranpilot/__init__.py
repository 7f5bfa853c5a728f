"""ranpilot: near-RT RIC xApps and non-RT rApps that optimise a 5G RAN with reinforcement learning.

This package holds the shared vocabulary that every other part speaks (the KPM feature spec, the action
specs, the model format) and the ``ranpilot`` command line, which is only an edge that dispatches to the
subcommands of the other packages.
"""

__version__ = "0.1.0"

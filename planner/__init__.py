"""Care leaver accommodation matching and capacity planner."""

__version__ = "0.1.0"

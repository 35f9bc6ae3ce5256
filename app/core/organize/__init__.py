"""Organize: rules and their conditions and templates -> a plan, without touching a file.

``rules`` defines a rule, ``matching`` its conditions, ``templates`` its destinations,
``rules_io`` reads and writes rule files, ``presets`` the ready-made rule sets, and ``planner``
turns indexed files + rules into an ``ops.plan.Plan``."""

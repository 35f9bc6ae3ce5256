"""The Dashboard's data, under the name the Dashboard view imports it by.

Reading it takes SQL on the index, so it lives in ``app.jobs.dashboard`` (the window reaches
data only through jobs); this module only gives the view its names.
"""

from app.jobs.dashboard import DashboardData, age_range_ns, below_folder_glob, load_dashboard

__all__ = ["DashboardData", "age_range_ns", "below_folder_glob", "load_dashboard"]

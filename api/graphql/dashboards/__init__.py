"""Dashboards: aggregates over the projects the viewer may read."""

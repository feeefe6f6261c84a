"""Supervision (Art. 24–27): inspections, rectification reports, sanctions, information requests."""

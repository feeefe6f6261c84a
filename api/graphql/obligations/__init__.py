"""Statutory obligations and notifications (R18–R23)."""

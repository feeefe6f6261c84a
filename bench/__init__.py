"""Benchmarks that print figures: `make bench` runs them all (python -m bench)."""

"""Acceptance, disbursement and evaluation (Art. 19–23): mutations on the implementation."""

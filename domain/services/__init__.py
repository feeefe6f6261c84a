"""Use cases: each loads, checks the gate, applies the rules, records the audit entry and commits."""

"""The audit log and the project timeline read from it."""

"""The changes feed (sync): what changed since a position; not the R16 change requests."""

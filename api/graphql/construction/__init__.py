"""Construction (Art. 14–18): contracts, change requests (R16), progress reports, the implementation view."""

"""Annual investment plans (Art. 9–10): calls, entries, plans, mid-year requests."""

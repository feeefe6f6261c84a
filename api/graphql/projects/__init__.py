"""Projects (Art. 2–8): the Project type, the list and lookup queries, reserve-library mutations."""

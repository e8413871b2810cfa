"""A corpus of real books for measuring `audiobook init` (scripts/books.py): where each comes from,
how it is made into the file a narrator would receive, and what its own table of contents says."""

"""A clinical case: the child (patient details), the photos taken of them with their dates
and results, and the combined result. Qt-free; nothing here writes a file."""

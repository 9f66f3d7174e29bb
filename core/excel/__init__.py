"""Excel files in and out: the pure reading and writing steps every import and report shares."""

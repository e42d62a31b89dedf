"""Tables, the PRISMA diagram and the report, computed from the store."""

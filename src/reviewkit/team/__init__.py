"""Team mode: the project's events on a PostgreSQL server, blinding enforced by row-level
security. psycopg is imported inside the functions here, never at CLI start."""

"""searches stage."""

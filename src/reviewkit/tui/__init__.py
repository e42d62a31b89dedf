"""Textual apps (screener, pair reviewer, forms): skins over the library, no business logic."""

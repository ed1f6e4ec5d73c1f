"""capa procedure package."""

"""instruments procedure package."""

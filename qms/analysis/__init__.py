"""analysis procedure package."""

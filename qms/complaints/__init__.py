"""complaints procedure package."""

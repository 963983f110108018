"""Vecinos: rapid response and organizing for committees that defend immigrant families."""

__version__ = "0.1.0"

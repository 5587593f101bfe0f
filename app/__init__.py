"""Porthole: reach your own computers from a tablet, a laptop or a touch-screen kiosk."""

__version__ = "0.1.0"

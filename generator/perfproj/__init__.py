"""perfproj: performance-first C++ project generator."""

__version__ = "0.2.0"

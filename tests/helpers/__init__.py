"""Shared test helpers: running perfproj and building generated projects."""

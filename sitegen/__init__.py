"""A static site generator for a cited explainer of England's children's social care reform."""

__version__ = "0.1.0"

"""MEPSIS: an open state Migrant Education Program student information system."""

__version__ = "0.1.0"

"""Data files (ASN.1 modules / JSON schemas) shipped with the package."""

"""Test-suite root: pytest puts this folder on sys.path, so shared fixtures modules (``lab``) import by name."""

"""Development tools for the pharmacology profiles (not shipped in the wheel)."""

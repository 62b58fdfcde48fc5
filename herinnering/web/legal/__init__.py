"""Legal steps on the web: the Wgs export per municipality and the proof bundle."""

"""Privacy, the pure rules: how long tenant data is kept."""

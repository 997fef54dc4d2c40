"""Model files and their use: the card, trust checks, the networks, the deployed score."""

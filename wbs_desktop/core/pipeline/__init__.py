"""The photo's path: decode, find the face, align, check quality, score, explain."""

"""What leaves the app: reports, heatmap renderings, batch tables."""

"""Qt-free engine of WBS Screen: photo loading, faces, alignment, models, Grad-CAM, analysis."""

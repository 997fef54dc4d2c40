"""Synthetic phenotype data: real photos warped with landmark-driven piecewise-affine maps.

Real photos of children with Williams-Beuren syndrome cannot ship with the project, so the
demo model learns from faces made here. Each synthetic "subject" is one real base photo (a
different, healthy adult) plus a random *identity* warp, and belongs to one group:

* ``WBS``: the published gestalt at a random strength ``s`` in [0.5, 1]: broad forehead,
  periorbital fullness, short upturned nose with a broad flat bridge, wide mouth, full lips,
  small pointed chin;
* ``other`` (another syndrome): one or two of hypertelorism, long lower face, downslanting
  palpebral fissures, thin upper lip; with ``other_shares_wbs``, some also get one or two
  WBS features, as real syndromes share single features with WBS;
* ``healthy``: the identity warp only.

Every displacement is a smooth field defined in a face frame whose unit is the inter-ocular
distance (IOD), so it scales with the face and cannot tear the mesh. The identity warp is
given to every group (random bumps plus small signed amounts of all the phenotype modes), so
"was this face warped at all" tells nothing about the group. Then each photo gets random
pose (roll, a horizontal squeeze that mimics yaw), scale, position, light, white balance,
blur, background, mirror and JPEG quality.

The manifest records which facial regions (``wbs_desktop.core.pipeline.regions.REGION_NAMES``) carry
the phenotype and how strongly: the ground truth for asking whether Grad-CAM looks where the
signal is. Output is deterministic for a seed: same seed, same bytes.

    wbs-train synth --out data/synth --per-class 200 --faces ../shared/faces --seed 0
    python -m training.synth --out data/synth --per-class 200

Modules, in the order the data flow through them:

* :mod:`.bases`: base photos, the person in each, a working crop around each face;
* :mod:`.face_frame`: the face coordinate frame (IOD units) the warps are written in;
* :mod:`.phenotypes`: the phenotype and identity displacement fields and applying them;
* :mod:`.warp`: the piecewise-affine mesh warp that moves the pixels;
* :mod:`.augmentation`: pose, background, mirror, light and JPEG of each photo;
* :mod:`.generation`: the data set, its manifest and ``synth_info.json``;
* :mod:`.cli`: the command line.
"""

from training.synth.augmentation import jpeg_bytes, photometric
from training.synth.bases import (
    WORK_IOD,
    BaseFace,
    base_identities,
    base_schedule,
    default_bases,
    find_bases,
    prepare_base,
    read_identities,
)
from training.synth.cli import add_arguments, main, run
from training.synth.face_frame import face_coordinates
from training.synth.generation import (
    GENERATOR_VERSION,
    MANIFEST_COLUMNS,
    OUTPUT_SIZE,
    Sample,
    generate,
    render_sample,
)
from training.synth.phenotypes import (
    EFFECTS,
    GROUPS,
    IdentityWarp,
    apply_effects,
    apply_gestalt,
    plan_effects,
    share_wbs_features,
)
from training.synth.warp import piecewise_affine_warp

__all__ = [
    "EFFECTS",
    "GENERATOR_VERSION",
    "GROUPS",
    "MANIFEST_COLUMNS",
    "OUTPUT_SIZE",
    "WORK_IOD",
    "BaseFace",
    "IdentityWarp",
    "Sample",
    "add_arguments",
    "apply_effects",
    "apply_gestalt",
    "base_identities",
    "base_schedule",
    "default_bases",
    "face_coordinates",
    "find_bases",
    "generate",
    "jpeg_bytes",
    "main",
    "photometric",
    "piecewise_affine_warp",
    "plan_effects",
    "prepare_base",
    "read_identities",
    "render_sample",
    "run",
    "share_wbs_features",
]

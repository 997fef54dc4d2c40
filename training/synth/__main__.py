"""``python -m training.synth``: the ``synth`` command line."""

import sys

from training.synth.cli import main

sys.exit(main())

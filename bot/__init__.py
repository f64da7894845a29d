"""GLF Tutor: a study companion on the Great Leap Forward and its famine."""

import os

# numpy's BLAS would split each small matrix-vector product (the semantic scores, 2,000 x 256) over
# threads: no faster on an idle machine, and about three times slower per answer when the other cores
# are busy (another shard, a chart being drawn, a test run). It reads this once, when numpy is first
# imported, which is after this; an explicit setting in the environment wins.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

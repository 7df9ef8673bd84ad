"""Analysis of Myelin result files (HDF5).

Modules:

- :mod:`analysis.reader`   -- lazy reader for single-run and sweep result files
- :mod:`analysis.measures` -- rates, ISI CV, synchrony measures (numpy arrays in, numbers out)
- :mod:`analysis.plots`    -- raster, heatmap, rate and synchrony-vs-p figures (Agg backend)

Command-line entry points: ``python3 -m analysis.sync_vs_p``, ``analysis.raster``,
``analysis.heatmap`` and ``analysis.measures``; see ``analysis/README.md``.
"""

from analysis.reader import (  # noqa: F401  (re-exported for `from analysis import ...`)
    IncompleteResultError,
    MyelinFileError,
    Run,
    Sweep,
    UnknownNameError,
    open_result,
)

__all__ = [
    "IncompleteResultError",
    "MyelinFileError",
    "Run",
    "Sweep",
    "UnknownNameError",
    "open_result",
]

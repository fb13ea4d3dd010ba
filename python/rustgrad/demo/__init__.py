"""The main job, ``python -m rustgrad.demo``: the chapter-2 tour, then d2l's chapter 3-4
models trained on the embedded data set (or Fashion-MNIST IDX files with ``--data-dir``).

``python -m rustgrad.demo --help`` lists the options.
"""

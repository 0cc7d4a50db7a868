"""Training the exported experiment as SwitchHead Workbench's engine does (engine/train), on one device or many
(DistributedDataParallel), writing the workbench's run directory (DESIGN 2.2). Depends on torch and numpy.

Modules:
    errors.py            the three ways a run stops with a message: RunError, CheckpointError, NonFinite
    distributed.py       rank, world size and device; each rank's rows of a batch; sums over the ranks
    files.py             atomic writes and JSON lines (crash-safe run files)
    safetensors_file.py  the safetensors format, read and written (no dependency)
    optim.py             AdamW with decoupled weight decay on matrices, warm-up + cosine schedule, clipping
    run_state.py         a run's state: model, optimiser, step, tokens, XL memory, data position
    checkpoints.py       that state to and from a safetensors checkpoint in the engine's names and metadata
    steps.py             one training step and one evaluation, with their metric rows
    reports.py           routing statistics and probes of the current weights
    run_dir.py           the run directory: its files, checkpoints kept, roll-back on resume, the writer claim
    loop.py              the whole run: new or resumed, the loop, signals, the summary
"""

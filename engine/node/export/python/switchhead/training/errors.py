"""The three ways a run stops with a message (train.py prints it as `error: ...` and exits 1).

RunError: the run cannot start or continue (a bad run directory, a process count, a busy run). CheckpointError: a
checkpoint that does not read or does not fit the model; the message names the file and every problem. NonFinite:
the loss or the gradient norm stopped being finite; the update was not applied.
"""


class RunError(Exception):
    """A run that cannot start or continue; the message says what and where."""


class CheckpointError(Exception):
    pass


class NonFinite(Exception):
    def __init__(self, step: int, what: str, value: float):
        super().__init__(
            f"{what} became {value} at step {step}; training stopped before applying the update "
            "(try a lower learning rate or stronger clipping)"
        )

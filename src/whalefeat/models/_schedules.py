"""Learning-rate schedules for the Keras classifiers' ``learning_rate_schedule``."""

from __future__ import annotations

from numbers import Integral, Real

__all__ = ["WarmupDecaySchedule"]


class WarmupDecaySchedule:
    """Learning rate ramped linearly to a peak, then decayed geometrically per epoch.

    Epoch ``e`` (counted from 0) trains with

    - ``initial + (peak - initial) * e / warmup_epochs`` for ``e < warmup_epochs``,
    - ``peak * decay ** (e - warmup_epochs)`` from then on.

    With the defaults this is the schedule of the study whose 1-D network
    whalefeat reproduces: from 1e-3 up to 5e-3 over five epochs, then 15 %
    less every epoch. The object is a plain picklable callable, so it can be
    passed as ``learning_rate_schedule`` to
    :class:`~whalefeat.models.Inception1DClassifier` or
    :class:`~whalefeat.models.XceptionClassifier` (and cloned with them).

    Parameters
    ----------
    initial : float, default=1e-3
        Learning rate of the first epoch.
    peak : float, default=5e-3
        Learning rate reached at epoch ``warmup_epochs``.
    warmup_epochs : int, default=5
        Epochs of the linear ramp; 0 starts at ``peak``.
    decay : float, default=0.85
        Factor applied to the learning rate at every epoch after the ramp.

    Examples
    --------
    >>> from whalefeat.models import WarmupDecaySchedule
    >>> schedule = WarmupDecaySchedule()
    >>> [round(schedule(epoch), 5) for epoch in range(8)]
    [0.001, 0.0018, 0.0026, 0.0034, 0.0042, 0.005, 0.00425, 0.00361]
    """

    def __init__(
        self,
        initial: float = 1e-3,
        peak: float = 5e-3,
        warmup_epochs: int = 5,
        decay: float = 0.85,
    ) -> None:
        for name, value in (("initial", initial), ("peak", peak), ("decay", decay)):
            if isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if (
            isinstance(warmup_epochs, bool)
            or not isinstance(warmup_epochs, Integral)
            or warmup_epochs < 0
        ):
            raise ValueError(
                f"warmup_epochs must be a non-negative integer, got {warmup_epochs!r}"
            )
        self.initial = float(initial)
        self.peak = float(peak)
        self.warmup_epochs = int(warmup_epochs)
        self.decay = float(decay)

    def __call__(self, epoch: int, learning_rate: float | None = None) -> float:
        """Learning rate of ``epoch`` (``learning_rate``, the current one, is ignored)."""
        if epoch < self.warmup_epochs:
            return self.initial + (self.peak - self.initial) * epoch / self.warmup_epochs
        return self.peak * self.decay ** (epoch - self.warmup_epochs)

    def __repr__(self) -> str:
        return (
            f"WarmupDecaySchedule(initial={self.initial!r}, peak={self.peak!r}, "
            f"warmup_epochs={self.warmup_epochs!r}, decay={self.decay!r})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WarmupDecaySchedule) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(tuple(vars(self).values()))

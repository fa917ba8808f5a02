"""Training-time augmentation of the Keras classifiers' mini-batches (private).

Everything here works on NumPy batches in the models' input layout (a leading
sample axis), so it is independent of the Keras backend. ``fit`` applies it to
training batches only, through the :class:`keras.utils.PyDataset` built by
:func:`training_batches`; validation data and ``predict`` never pass through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Augmentation:
    """What to do to each training batch, in the model's input layout.

    ``time_axis`` and ``feature_axis`` are axes of the batch (axis 0 holds
    the samples); the fractions are those of the estimator's parameters.
    """

    time_axis: int
    feature_axis: int
    time_shift: float = 0.0
    time_mask: float = 0.0
    feature_mask: float = 0.0
    n_masks: int = 1
    mixup: float = 0.0

    @property
    def active(self) -> bool:
        return bool(self.time_shift or self.time_mask or self.feature_mask or self.mixup)


def shift_time(
    X: np.ndarray, rng: np.random.Generator, max_fraction: float, axis: int
) -> np.ndarray:
    """Roll each sample circularly along ``axis`` by its own random number of steps.

    The shift of each sample is drawn uniformly from the integers
    ``-m ... m`` with ``m = floor(max_fraction * X.shape[axis])``; what leaves
    one end re-enters at the other, so no value is lost or invented.
    """
    size = X.shape[axis]
    limit = int(np.floor(max_fraction * size))
    if limit == 0:
        return X
    shifts = rng.integers(-limit, limit + 1, size=X.shape[0])
    index_shape = [1] * X.ndim
    index_shape[0], index_shape[axis] = X.shape[0], size
    # output position t takes input position (t - shift) mod size, as np.roll does
    index = (np.arange(size)[np.newaxis, :] - shifts[:, np.newaxis]) % size
    return np.take_along_axis(X, index.reshape(index_shape), axis=axis)


def mask_spans(
    rng: np.random.Generator, n_samples: int, size: int, max_fraction: float, n_masks: int
) -> np.ndarray:
    """Boolean ``(n_samples, size)``: ``n_masks`` random spans per sample (SpecAugment).

    Each span has a width drawn uniformly from ``0 ... floor(max_fraction *
    size)`` and a start drawn uniformly among the positions where it fits;
    spans may overlap.
    """
    limit = int(np.floor(max_fraction * size))
    masked = np.zeros((n_samples, size), dtype=bool)
    if limit == 0:
        return masked
    positions = np.arange(size)
    for _ in range(n_masks):
        widths = rng.integers(0, limit + 1, size=n_samples)
        starts = rng.integers(0, size - widths + 1)
        masked |= (positions >= starts[:, np.newaxis]) & (
            positions < (starts + widths)[:, np.newaxis]
        )
    return masked


def _expand(spans: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    shape = [1] * ndim
    shape[0], shape[axis] = spans.shape
    return spans.reshape(shape)


def mask(X: np.ndarray, rng: np.random.Generator, augmentation: Augmentation) -> np.ndarray:
    """Time and feature masking: masked values become the sample's mean over time.

    The fill is each sample's mean along the time axis, separately for every
    row of the other axes (each frequency bin of a spectrogram, each channel of
    a series): a masked frame shows the clip's average spectrum, a masked
    frequency band (or channel) its own average level, flat in time.
    """
    fill = X.mean(axis=augmentation.time_axis, keepdims=True, dtype=np.float64).astype(X.dtype)
    masked = np.zeros(X.shape, dtype=bool)
    for axis, fraction in (
        (augmentation.time_axis, augmentation.time_mask),
        (augmentation.feature_axis, augmentation.feature_mask),
    ):
        if fraction:
            spans = mask_spans(rng, X.shape[0], X.shape[axis], fraction, augmentation.n_masks)
            masked |= _expand(spans, X.ndim, axis)
    return np.where(masked, fill, X)


def mixup(
    X: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray | None,
    rng: np.random.Generator,
    alpha: float,
):
    """Mix every sample with a random partner of the batch (Zhang et al., 2018).

    Sample ``i`` becomes ``lam_i * x_i + (1 - lam_i) * x_p(i)``, with
    ``lam_i ~ Beta(alpha, alpha)`` and ``p`` a random permutation of the
    batch; its (dense) target and its weight are mixed with the same
    ``lam_i``. Returns ``(X, targets, weights, lam, partner)``.
    """
    n = X.shape[0]
    lam = rng.beta(alpha, alpha, size=n)
    partner = rng.permutation(n)

    def mix(values):
        coefficient = lam.reshape((n,) + (1,) * (values.ndim - 1)).astype(values.dtype)
        return coefficient * values + (1 - coefficient) * values[partner]

    return (mix(X), mix(targets), None if weights is None else mix(weights), lam, partner)


def augment(
    X: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray | None,
    rng: np.random.Generator,
    augmentation: Augmentation,
):
    """One training batch augmented: time shift, then masking, then mixup.

    ``targets`` must be dense (one row of class probabilities or 0/1 targets
    per sample) when ``augmentation.mixup`` is set. The inputs are not
    modified. Returns ``(X, targets, weights)``.
    """
    if augmentation.time_shift:
        X = shift_time(X, rng, augmentation.time_shift, augmentation.time_axis)
    if augmentation.time_mask or augmentation.feature_mask:
        X = mask(X, rng, augmentation)
    if augmentation.mixup:
        X, targets, weights, _, _ = mixup(X, targets, weights, rng, augmentation.mixup)
    return X, targets, weights


_CLASSES: dict = {}


def training_batches(
    keras,
    X: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray | None,
    *,
    batch_size: int,
    augmentation: Augmentation,
    seed,
):
    """An endless :class:`keras.utils.PyDataset` of augmented training batches.

    Batch ``i`` belongs to epoch ``i // steps_per_epoch``: each epoch visits
    the samples in a new random order, and batch ``i`` is drawn from a
    generator seeded by ``(*seed, i)`` only (``seed``: an int or a sequence of
    ints). Its content therefore does not
    depend on how often or in which order Keras asks for batches (TensorFlow
    prefetches ahead, and asks for two batches first to infer their shapes).
    Train with ``steps_per_epoch=dataset.steps_per_epoch``.
    """
    if "TrainingBatches" not in _CLASSES:

        class TrainingBatches(keras.utils.PyDataset):
            def __init__(self, X, targets, weights, batch_size, augmentation, seed):
                super().__init__(workers=1, use_multiprocessing=False)
                self.X, self.targets, self.weights = X, targets, weights
                self.batch_size = batch_size
                self.augmentation = augmentation
                self.seed = [int(value) for value in np.atleast_1d(seed)]
                self.steps_per_epoch = -(-X.shape[0] // batch_size)
                self._order = (None, None)

            def order(self, epoch: int) -> np.ndarray:
                if self._order[0] != epoch:
                    generator = np.random.default_rng([*self.seed, 0, epoch])
                    self._order = (epoch, generator.permutation(self.X.shape[0]))
                return self._order[1]

            @property
            def num_batches(self):
                return None  # endless: one iterator runs through every epoch

            def __getitem__(self, index):
                epoch, step = divmod(int(index), self.steps_per_epoch)
                rows = self.order(epoch)[step * self.batch_size : (step + 1) * self.batch_size]
                rng = np.random.default_rng([*self.seed, 1, int(index)])
                weights = None if self.weights is None else self.weights[rows]
                X, targets, weights = augment(
                    self.X[rows], self.targets[rows], weights, rng, self.augmentation
                )
                if weights is None:
                    return X, targets
                return X, targets, weights

        _CLASSES["TrainingBatches"] = TrainingBatches
    return _CLASSES["TrainingBatches"](X, targets, weights, batch_size, augmentation, seed)

"""Inception1DClassifier: 1-D convolutional networks for (multichannel) series."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np

from .._compat import Interval, StrOptions
from ._base import _fill_training_parameters, _KerasClassifier

if TYPE_CHECKING:  # Keras is imported when a model is first built
    import keras

_LAYER_CLASSES: dict = {}


def _channel_slice_class(keras):
    """The ``ChannelSlice`` layer class, defined (and registered) on first use."""
    if "ChannelSlice" not in _LAYER_CLASSES:

        @keras.saving.register_keras_serializable(package="whalefeat")
        class ChannelSlice(keras.layers.Layer):
            """Channels ``start`` to ``stop - 1`` of a ``(batch, steps, channels)`` series."""

            def __init__(self, start, stop, **kwargs):
                super().__init__(**kwargs)
                self.start = int(start)
                self.stop = int(stop)

            def call(self, inputs):
                return inputs[..., self.start : self.stop]

            def compute_output_shape(self, input_shape):
                return (*input_shape[:-1], self.stop - self.start)

            def get_config(self):
                return {**super().get_config(), "start": self.start, "stop": self.stop}

        _LAYER_CLASSES["ChannelSlice"] = ChannelSlice
    return _LAYER_CLASSES["ChannelSlice"]


_DEFAULTS = {
    "seed": {"depth": 3, "filters": 128, "kernel_size": 3, "dropout": 0.2},
    "inceptiontime": {
        "depth": 6,
        "filters": 32,
        "kernel_size": (40, 20, 10),
        "residual": True,
        "bottleneck_size": 32,
    },
}


@_fill_training_parameters
class Inception1DClassifier(_KerasClassifier):
    """1-D convolutional classifier of series, such as complexity-entropy curves over time.

    Two architectures, both ending in global average pooling over time and a
    softmax ``Dense(n_classes)`` output (softmax also for two classes; see
    ``output`` for a sigmoid unit):

    ``architecture="seed"``
        ``depth`` (3) blocks of ``Conv1D(filters=128, kernel_size=3,
        padding="same")``, ``BatchNormalization``, ``ReLU`` and
        ``Dropout(0.2)``.
    ``architecture="inceptiontime"``
        InceptionTime (Ismail Fawaz et al., 2020): ``depth`` (6) Inception
        modules, each a bottleneck ``Conv1D`` (kernel 1, ``bottleneck_size``
        filters, only where the module's input has more than one channel),
        parallel ``Conv1D`` branches with the kernel sizes ``kernel_size``
        (40, 20, 10) and a ``MaxPooling1D(3, strides=1, padding="same")``
        branch followed by a kernel-1 ``Conv1D`` (all with ``filters``
        filters and no bias), concatenated, then ``BatchNormalization`` and
        ``ReLU``. With ``residual``, every third module output is added to a
        shortcut from the previous residual point (kernel-1 ``Conv1D`` and
        ``BatchNormalization``), followed by ``ReLU``.

    The architecture parameters default to None, meaning the architecture's
    own default (in brackets above); one that the chosen architecture does
    not use must stay None. With ``standardize`` (the default), a Keras
    ``Normalization`` layer first standardises each input channel with the
    mean and variance of the training set. With ``channel_groups``, each
    group of adjacent channels is read by its own copy of the architecture
    (a branch), and the branches' pooled outputs are concatenated before the
    output layer (``branch_fusion="pooled"``), or each branch ends in an
    output layer of its own, trained with its own loss, and the network's
    output is the mean of the branches' probabilities
    (``branch_fusion="probabilities"``).

    Parameters
    ----------
    architecture : {"seed", "inceptiontime"}, default="seed"
        Network architecture.
    depth : int or None, default=None
        Number of convolution blocks (seed: 3) or Inception modules
        (inceptiontime: 6).
    filters : int or None, default=None
        Filters of each convolution (seed: 128), or of each branch of an
        Inception module (inceptiontime: 32; a module outputs
        ``(len(kernel_size) + 1) * filters`` channels).
    kernel_size : int, tuple of int or None, default=None
        Seed: the kernel size (3). Inceptiontime: the kernel sizes of the
        parallel branches, ``(40, 20, 10)``; an int ``k`` gives ``(k, k // 2,
        k // 4)``, the halving rule of the reference implementation.
    dropout : float or None, default=None
        Dropout rate after each seed block (0.2); seed only.
    residual : bool or None, default=None
        Residual shortcuts every three modules (True); inceptiontime only.
    bottleneck_size : int or None, default=None
        Filters of the bottleneck convolution (32), 0 for none;
        inceptiontime only.
    channel_groups : sequence of int or None, default=None
        Sizes of consecutive groups of input channels, summing to the number
        of channels, each read by its own branch: a full stack of blocks or
        modules of the chosen architecture (layer names prefixed
        ``branch1_``, ``branch2_``, ...) and its own global average pooling;
        the pooled outputs are concatenated before the output layer. Series
        of different kinds joined along the channel axis (for example four
        complexity-entropy series and 64 spectrogram bands) then each get
        their own filters, and the many channels of one kind cannot drown
        the few of another in the shared first convolution. None: one stack
        reads every channel.
    branch_fusion : {"pooled", "probabilities"}, default="pooled"
        How the branches of ``channel_groups`` meet. ``"pooled"``: their
        pooled outputs are concatenated into one output layer, and the
        network is trained as a whole. ``"probabilities"``: each branch has
        its own output layer (``branch1_output``, ...), the training loss is
        the mean of the branches' losses (so no branch can lean on another:
        each learns to classify from its own channels), and the network's
        output is the mean of the branches' probabilities (``output``). A
        network that learns quickly from a large group can otherwise leave
        a small, slower group untrained; ``"probabilities"`` requires
        ``channel_groups``. The ``accuracy`` of ``history_`` is then the
        branches' mean accuracy.
    standardize : bool, default=True
        Standardise each channel by the training set's mean and standard
        deviation (over samples and steps) inside the network. Complexity-
        entropy features vary by a few hundredths around values near 0.9 and
        0.15; unscaled, their convolutions have a variance far below the
        initial moving variance of batch normalisation, and the predictions
        of a network trained for a few hundred steps are unreliable. False
        feeds the inputs as they are.
    batch_norm_momentum : float, default=0.9
        Momentum of the moving mean and variance of every
        ``BatchNormalization`` layer, which the network uses at prediction
        time. Keras's default, 0.99, averages over about a hundred training
        steps and starts from a variance of 1: on a few hundred clips, or on
        inputs of small variance such as complexity-entropy features, the
        moving statistics then lag far behind the trained weights and the
        predictions degrade (even invert). 0.9, PyTorch's default, follows
        within about ten steps; pass 0.99 for Keras's behaviour.
    output : {"softmax", "sigmoid"}, default="softmax"
        Output layer: ``Dense(n_classes)`` with a softmax, or, for two
        classes only, one sigmoid unit giving the probability of
        ``classes_[1]`` (the study's network).
    loss : {"cross-entropy", "squared-error"}, default="cross-entropy"
        Training loss: cross-entropy of the predicted probabilities (binary
        with ``output="sigmoid"``), or the mean squared error between them
        and the one-hot (sigmoid: 0/1) targets, as the study trained it.
    epochs : int, default=30
        Training epochs.
    batch_size : int, default=32
        Mini-batch size for training and prediction.
    optimizer : str, dict or keras.optimizers.Optimizer, default="adam"
        Keras optimizer name, serialised config (as from
        ``keras.optimizers.serialize``) or instance. A fresh optimizer is
        built from it for every fit; an instance passed here is never
        modified.
    %(training_parameters)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Size of the second axis of ``X`` seen in ``fit`` (the number of steps).
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``, if it had string column names.
    input_shape_ : tuple of int
        Per-sample shape of ``X`` seen in ``fit``; ``predict`` requires the same.
    model_ : keras.Model
        The trained network (uncompiled), from ``(n_steps, n_channels)``
        inputs to the class probabilities.
    history_ : dict of str to list of float
        Per-epoch ``loss`` and ``accuracy`` (and ``val_loss``,
        ``val_accuracy`` with a validation split).
    n_iter_ : int
        Number of epochs trained (over warm starts too).

    Notes
    -----
    Accepted inputs: ``(n, n_steps, n_channels)`` series, for example the
    ``(n, n_frames, n_features)`` output of
    :class:`~whalefeat.ComplexityEntropyCurve` on spectrograms, and
    ``(n, n_steps)``, treated as one channel. Pickling stores ``model_`` in
    Keras's native ``.keras`` format.

    %(augmentation_notes)s

    For augmentation, the time axis is the series' steps and the masked
    feature axis its channels.

    References
    ----------
    H. Ismail Fawaz et al., "InceptionTime: Finding AlexNet for time series
    classification", Data Mining and Knowledge Discovery 34, 1936-1962 (2020).

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.models import Inception1DClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 16, 2)).astype("float32")
    >>> y = np.repeat([0, 1], 20)
    >>> X[y == 1] += 1.0
    >>> clf = Inception1DClassifier(filters=8, epochs=20, batch_size=8, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    >>> [layer.__class__.__name__ for layer in clf.model_.layers[1:6]]
    ['Normalization', 'Conv1D', 'BatchNormalization', 'ReLU', 'Dropout']
    """

    _parameter_constraints: dict = {
        **_KerasClassifier._parameter_constraints,
        "channel_mask": [Interval(Real, 0, 1, closed="left")],
        "architecture": [StrOptions({"seed", "inceptiontime"})],
        "depth": [Interval(Integral, 1, None, closed="left"), None],
        "filters": [Interval(Integral, 1, None, closed="left"), None],
        "kernel_size": [Interval(Integral, 1, None, closed="left"), tuple, list, None],
        "dropout": [Interval(Real, 0, 1, closed="left"), None],
        "residual": ["boolean", None],
        "bottleneck_size": [Interval(Integral, 0, None, closed="left"), None],
        "channel_groups": [tuple, list, None],
        "branch_fusion": [StrOptions({"pooled", "probabilities"})],
        "standardize": ["boolean"],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="both")],
        "output": [StrOptions({"softmax", "sigmoid"})],
        "loss": [StrOptions({"cross-entropy", "squared-error"})],
    }
    _allowed_ndims = (2, 3)
    # model input (n, n_steps, n_channels)
    _time_axis = 1
    _feature_axis = 2
    _feature_mask_parameter = "channel_mask"
    _feature_mask_doc = """\
    channel_mask : float in [0, 1), default=0.0
        Augmentation: masking of the channel (feature) axis, as ``time_mask``
        along the channels: up to ``floor(channel_mask * n_channels)``
        adjacent channels of a training sample are flattened to their own
        mean over time. 0 turns it off (as it is for one channel).
"""

    def __init__(
        self,
        *,
        architecture: str = "seed",
        depth: int | None = None,
        filters: int | None = None,
        kernel_size: int | Sequence[int] | None = None,
        dropout: float | None = None,
        residual: bool | None = None,
        bottleneck_size: int | None = None,
        channel_groups: Sequence[int] | None = None,
        branch_fusion: str = "pooled",
        standardize: bool = True,
        batch_norm_momentum: float = 0.9,
        output: str = "softmax",
        loss: str = "cross-entropy",
        epochs: int = 30,
        batch_size: int = 32,
        optimizer: str | keras.optimizers.Optimizer = "adam",
        learning_rate: float = 1e-3,
        learning_rate_schedule: Callable[[int, float], float] | None = None,
        validation_split: float = 0.0,
        patience: int | None = None,
        restore_best_weights: bool = True,
        class_weight: dict | str | None = None,
        callbacks: Sequence[keras.callbacks.Callback] | None = None,
        verbose: int | bool = 0,
        random_state: int | np.random.RandomState | None = None,
        warm_start: bool = False,
        time_shift: float = 0.0,
        time_mask: float = 0.0,
        channel_mask: float = 0.0,
        n_masks: int = 1,
        mixup: float = 0.0,
    ) -> None:
        self.architecture = architecture
        self.depth = depth
        self.filters = filters
        self.kernel_size = kernel_size
        self.dropout = dropout
        self.residual = residual
        self.bottleneck_size = bottleneck_size
        self.channel_groups = channel_groups
        self.branch_fusion = branch_fusion
        self.standardize = standardize
        self.batch_norm_momentum = batch_norm_momentum
        self.output = output
        self.loss = loss
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.validation_split = validation_split
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state
        self.warm_start = warm_start
        self.time_shift = time_shift
        self.time_mask = time_mask
        self.channel_mask = channel_mask
        self.n_masks = n_masks
        self.mixup = mixup

    def _resolved(self) -> dict:
        """The architecture's settings: given parameters over its defaults."""
        defaults = _DEFAULTS[self.architecture]
        names = ("depth", "filters", "kernel_size", "dropout", "residual", "bottleneck_size")
        settings = {}
        for name in names:
            value = getattr(self, name)
            if name not in defaults:
                if value is not None:
                    raise ValueError(
                        f"{name}={value!r} does not apply to architecture="
                        f"{self.architecture!r}; leave it None."
                    )
                continue
            settings[name] = defaults[name] if value is None else value
        size = settings["kernel_size"]
        if self.architecture == "seed":
            if not isinstance(size, Integral):
                raise ValueError(
                    f"architecture='seed' takes a single int kernel_size, got {size!r}."
                )
        else:
            if isinstance(size, Integral):
                size = (size, size // 2, size // 4)
            if not size or not all(isinstance(k, Integral) and k >= 1 for k in size):
                raise ValueError(
                    f"kernel_size must be an int or a non-empty sequence of positive ints "
                    f"for architecture='inceptiontime', got {settings['kernel_size']!r}."
                )
            settings["kernel_size"] = tuple(int(k) for k in size)
        return settings

    def _check_params(self, X: np.ndarray) -> None:
        self._resolved()
        self._channel_bounds(X.shape[2] if X.ndim == 3 else 1)

    def _channel_bounds(self, n_channels: int) -> list[tuple[int, int]] | None:
        """``(start, stop)`` of each channel group, None for a single stack."""
        groups = self.channel_groups
        if groups is None:
            if self.branch_fusion == "probabilities":
                raise ValueError(
                    "branch_fusion='probabilities' averages the branches of channel_groups; "
                    "set channel_groups (the channel count of each branch)."
                )
            return None
        if (
            not len(groups)
            or not all(isinstance(g, Integral) and not isinstance(g, bool) for g in groups)
            or min(groups) < 1
        ):
            raise ValueError(
                f"channel_groups must be a non-empty sequence of positive ints, got {groups!r}."
            )
        if sum(groups) != n_channels:
            raise ValueError(
                f"channel_groups={list(groups)!r} sums to {sum(groups)} channels, but X has "
                f"{n_channels} channel(s) per step; the groups must cover every channel once."
            )
        stops = np.cumsum(groups).tolist()
        return list(zip([0, *stops[:-1]], stops, strict=True))

    def _repeats_targets(self) -> int:
        if self.branch_fusion == "probabilities":
            return len(self.channel_groups)
        return 0

    def _training_model(self, keras):
        if not self._repeats_targets():
            return super()._training_model(keras)
        heads = [
            self.model_.get_layer(f"branch{g}_output").output
            for g in range(1, len(self.channel_groups) + 1)
        ]
        width = heads[0].shape[-1]
        stacked = keras.layers.Concatenate(axis=1)(
            [keras.layers.Reshape((1, width))(head) for head in heads]
        )
        return keras.Model(self.model_.inputs, stacked)

    def _custom_objects(self, keras) -> dict:
        layer = _channel_slice_class(keras)
        return {"whalefeat>ChannelSlice": layer, "ChannelSlice": layer}

    def _loss(self) -> str:
        if self.loss == "squared-error":
            return "mean_squared_error"
        if self.output == "sigmoid":
            return "binary_crossentropy"
        return "sparse_categorical_crossentropy"

    def _fit_targets(self, y_encoded: np.ndarray, n_classes: int) -> np.ndarray:
        if self.output == "sigmoid":
            if n_classes != 2:
                raise ValueError(
                    f"output='sigmoid' needs exactly 2 classes, y holds {n_classes}; use "
                    "output='softmax' for more."
                )
            return y_encoded.astype(np.float32)[:, np.newaxis]
        if self.loss == "squared-error":
            return np.eye(n_classes, dtype=np.float32)[y_encoded]
        return y_encoded

    def _proba_from_output(self, output: np.ndarray) -> np.ndarray:
        if self.output == "sigmoid":
            positive = np.clip(output[:, 0], 0.0, 1.0)
            return np.column_stack([1.0 - positive, positive])
        return output

    def _to_model_input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        return X[..., np.newaxis] if X.ndim == 2 else X

    def _build_model(self, keras, X: np.ndarray, n_classes: int):
        settings = self._resolved()
        inputs = keras.Input(shape=X.shape[1:], name="series")
        x = inputs
        if self.standardize:
            x = keras.layers.Normalization(
                axis=-1,
                mean=X.mean(axis=(0, 1), dtype=np.float64),
                variance=X.var(axis=(0, 1), dtype=np.float64),
                name="standardize",
            )(x)
        stack = self._seed_blocks if self.architecture == "seed" else self._inception_modules
        bounds = self._channel_bounds(X.shape[-1])
        if bounds is None:
            x = stack(keras, x, settings, self.batch_norm_momentum)
            x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
        else:
            channel_slice = _channel_slice_class(keras)
            pooled = []
            for g, (start, stop) in enumerate(bounds, start=1):
                prefix = f"branch{g}_"
                branch = channel_slice(start, stop, name=f"{prefix}channels")(x)
                branch = stack(keras, branch, settings, self.batch_norm_momentum, prefix)
                pooled.append(keras.layers.GlobalAveragePooling1D(name=f"{prefix}pool")(branch))
            if self.branch_fusion == "probabilities":
                heads = [
                    self._output_layer(keras, n_classes, f"branch{g}_output")(branch)
                    for g, branch in enumerate(pooled, start=1)
                ]
                outputs = keras.layers.Average(name="output")(heads)
                return keras.Model(inputs, outputs, name=f"inception1d_{self.architecture}")
            x = keras.layers.Concatenate(axis=-1, name="pool")(pooled)
        outputs = self._output_layer(keras, n_classes, "output")(x)
        return keras.Model(inputs, outputs, name=f"inception1d_{self.architecture}")

    def _output_layer(self, keras, n_classes: int, name: str):
        if self.output == "sigmoid":
            return keras.layers.Dense(1, activation="sigmoid", name=name)
        return keras.layers.Dense(n_classes, activation="softmax", name=name)

    @staticmethod
    def _seed_blocks(keras, x, settings, momentum, prefix=""):
        layers = keras.layers
        for i in range(1, settings["depth"] + 1):
            x = layers.Conv1D(
                settings["filters"],
                settings["kernel_size"],
                padding="same",
                name=f"{prefix}conv{i}",
            )(x)
            x = layers.BatchNormalization(momentum=momentum, name=f"{prefix}bn{i}")(x)
            x = layers.ReLU(name=f"{prefix}relu{i}")(x)
            x = layers.Dropout(settings["dropout"], name=f"{prefix}dropout{i}")(x)
        return x

    @staticmethod
    def _inception_modules(keras, x, settings, momentum, prefix=""):
        layers = keras.layers
        filters = settings["filters"]
        shortcut = x
        for i in range(1, settings["depth"] + 1):
            module_input = x
            if settings["bottleneck_size"] and x.shape[-1] > 1:
                x = layers.Conv1D(
                    settings["bottleneck_size"],
                    1,
                    padding="same",
                    use_bias=False,
                    name=f"{prefix}module{i}_bottleneck",
                )(x)
            branches = [
                layers.Conv1D(
                    filters, k, padding="same", use_bias=False, name=f"{prefix}module{i}_conv{j}"
                )(x)
                for j, k in enumerate(settings["kernel_size"], start=1)
            ]
            pooled = layers.MaxPooling1D(
                3, strides=1, padding="same", name=f"{prefix}module{i}_maxpool"
            )(module_input)
            branches.append(
                layers.Conv1D(
                    filters, 1, padding="same", use_bias=False, name=f"{prefix}module{i}_poolconv"
                )(pooled)
            )
            x = layers.Concatenate(axis=-1, name=f"{prefix}module{i}_concat")(branches)
            x = layers.BatchNormalization(momentum=momentum, name=f"{prefix}module{i}_bn")(x)
            x = layers.ReLU(name=f"{prefix}module{i}_relu")(x)
            if settings["residual"] and i % 3 == 0:
                projected = layers.Conv1D(
                    x.shape[-1],
                    1,
                    padding="same",
                    use_bias=False,
                    name=f"{prefix}shortcut{i}_conv",
                )(shortcut)
                projected = layers.BatchNormalization(
                    momentum=momentum, name=f"{prefix}shortcut{i}_bn"
                )(projected)
                x = layers.Add(name=f"{prefix}shortcut{i}_add")([projected, x])
                x = layers.ReLU(name=f"{prefix}shortcut{i}_relu")(x)
                shortcut = x
        return x

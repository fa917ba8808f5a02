"""XceptionClassifier: transfer learning with Keras's Xception on spectrogram images."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np

from .._compat import Interval, StrOptions
from ._base import _fill_training_parameters, _KerasClassifier

if TYPE_CHECKING:  # Keras is imported when a model is first built
    import keras

#: Xception's smallest accepted input side (``keras.applications.Xception``)
MIN_IMAGE_SIZE = 71
#: Xception's blocks in ``keras.applications``: block1 ... block14
N_BLOCKS = 14
_IMAGENET_FILE = "xception_weights_tf_dim_ordering_tf_kernels_notop.h5"
_BLOCK = re.compile(r"^block(\d+)_")

_LAYER_CLASSES: dict = {}


def _sample_scaling_class(keras):
    """The ``SampleMinMax`` layer class, defined (and registered) on first use."""
    if "SampleMinMax" not in _LAYER_CLASSES:

        @keras.saving.register_keras_serializable(package="whalefeat")
        class SampleMinMax(keras.layers.Layer):
            """Map each sample linearly onto [-1, 1] by its own minimum and maximum.

            A constant sample maps to zeros.
            """

            def call(self, inputs):
                ops = keras.ops
                axes = tuple(range(1, len(inputs.shape)))
                low = ops.min(inputs, axis=axes, keepdims=True)
                span = ops.max(inputs, axis=axes, keepdims=True) - low
                safe = ops.where(span > 0, span, ops.ones_like(span))
                scaled = 2.0 * (inputs - low) / safe - 1.0
                return ops.where(span > 0, scaled, ops.zeros_like(inputs))

            def compute_output_shape(self, input_shape):
                return input_shape

        _LAYER_CLASSES["SampleMinMax"] = SampleMinMax
    return _LAYER_CLASSES["SampleMinMax"]


def _layer_blocks(base) -> list[int]:
    """Xception block number (1-14) of each layer of ``base``, in layer order.

    Layers without a ``blockN_`` name (the input, and the residual Conv2D,
    BatchNormalization and Add layers that Keras leaves unnamed) belong to the
    block of the nearest named layer before them: ``keras.applications`` lists
    each block's residual branch right after that block's own layers.
    """
    blocks, current = [], 0
    for layer in base.layers:
        match = _BLOCK.match(layer.name)
        if match:
            current = int(match.group(1))
        blocks.append(current)
    return blocks


@_fill_training_parameters
class XceptionClassifier(_KerasClassifier):
    """Xception convolutional network on spectrograms (or any images), as a classifier.

    The Keras model built by :meth:`fit` holds its own preprocessing, so that
    it can be applied to raw spectrograms:

    1. per-sample scaling (``sample_scaling="minmax"``): each sample is mapped
       linearly onto [-1, 1] by its own minimum and maximum, which is the
       input range Xception expects (``keras.applications.xception.preprocess_input``
       maps [0, 255] pixels onto [-1, 1]);
    2. bilinear resizing to ``image_size``;
    3. replication of a single channel to the three channels of Xception;
    4. ``keras.applications.Xception(include_top=False, weights=weights)``;
    5. the head: global average pooling, ``Dense(head_units,
       activation=head_activation)``, ``Dropout(head_dropout)`` and a softmax
       ``Dense(n_classes)`` output (softmax also for two classes, so the loss
       is the sparse categorical cross-entropy in every case).

    Parameters
    ----------
    image_size : int or tuple of (int, int), default=128
        Height and width the inputs are resized to; each at least 71,
        Xception's minimum. A 2-s clip gives a spectrogram of 46 frequency
        bins by 118 frames with :class:`~whalefeat.spectrogram.Spectrogram`'s
        defaults: 128 keeps the time axis at about its own resolution and
        upsamples the frequency axis, and Xception's 32-fold downsampling
        leaves a 4 x 4 feature map.
    weights : "imagenet", None or path-like, default="imagenet"
        Initial weights of the Xception base. ``"imagenet"``: ImageNet
        weights, which Keras downloads once (this needs internet access) and
        caches in ``~/.keras/models/``; ``None``: random initialisation
        (training from scratch); a path: a weights file for
        ``keras.applications.Xception(include_top=False)`` (for example a
        local copy of Keras's ``xception_weights_tf_dim_ordering_tf_kernels_notop.h5``,
        or a ``.weights.h5`` file saved from such a model).
    trainable : {"all", "head"} or int, default="all"
        Which part of the network is trained: ``"all"``, only the ``"head"``
        (the Xception base frozen, its batch normalisation in inference
        mode), or an integer N from 0 to 14: the head and Xception's last N
        blocks (``block15-N`` ... ``block14`` in Keras's layer names,
        residual branches included). With ``fine_tune_epochs > 0`` this is
        what the second, fine-tuning phase trains.
    fine_tune_epochs : int, default=0
        If positive, training has two phases: first the head alone for
        ``epochs`` epochs at ``learning_rate``, then the part chosen by
        ``trainable`` (which must then be more than the head) for
        ``fine_tune_epochs`` epochs at ``fine_tune_learning_rate``.
    fine_tune_learning_rate : float, default=1e-5
        Learning rate of the fine-tuning phase.
    sample_scaling : {"minmax"} or None, default="minmax"
        Per-sample scaling inside the model (step 1). ``None`` feeds the
        inputs unscaled; they should then already lie in [-1, 1].
    head_units : int, default=100
        Units of the head's hidden dense layer.
    head_activation : str, default="relu"
        Activation of the head's hidden dense layer (any Keras activation name).
    head_dropout : float, default=0.1
        Dropout rate after the head's hidden layer.
    batch_norm_momentum : float, default=0.9
        Momentum of the moving mean and variance of Xception's
        ``BatchNormalization`` layers (where they are trained), which the
        network uses at prediction time. ``keras.applications`` builds them
        with Keras's default, 0.99, which averages over about a hundred
        training steps: trained for a few epochs on a few thousand clips, the
        moving statistics then lag behind the weights and the network can
        predict one class for every clip. 0.9, PyTorch's default, follows
        within about ten steps; pass 0.99 for Keras's behaviour.
    epochs : int, default=10
        Training epochs (of the first phase when ``fine_tune_epochs > 0``).
    batch_size : int, default=32
        Mini-batch size for training and prediction.
    optimizer : str, dict or keras.optimizers.Optimizer, default="adam"
        Keras optimizer name, serialised config (as from
        ``keras.optimizers.serialize``) or instance. A fresh optimizer is
        built from it for every training phase; an instance passed here is
        never modified.
    %(training_parameters)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Size of the second axis of ``X`` seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``, if it had string column names.
    input_shape_ : tuple of int
        Per-sample shape of ``X`` seen in ``fit``; ``predict`` requires the same.
    model_ : keras.Model
        The trained network (uncompiled), from the per-sample input of
        ``fit`` (with a trailing channel axis) to the class probabilities.
    history_ : dict of str to list of float
        Per-epoch ``loss`` and ``accuracy`` (and ``val_loss``,
        ``val_accuracy`` with a validation split), over all phases.
    n_iter_ : int
        Number of epochs trained, over all phases (and warm starts).

    Notes
    -----
    Accepted inputs: spectrograms or images ``(n, H, W)``, images with
    channels ``(n, H, W, C)`` with ``C`` 1 or 3, and tabular ``(n, k)``
    arrays, which are treated as one-row images ``(n, 1, k)``. Pickling
    stores ``model_`` in Keras's native ``.keras`` format.

    The scikit-learn tag ``poor_score`` is set: the per-sample min-max
    scaling maps every two-feature tabular sample onto (-1, 1) or (1, -1), so
    the ``make_blobs`` data of scikit-learn's accuracy checks cannot be
    separated by this classifier (spectrograms and images are unaffected).

    %(augmentation_notes)s

    For augmentation, the time axis is the images' width (the frames of a
    spectrogram ``(n, n_freqs, n_frames)``, the ``k`` columns of tabular
    input) and the frequency axis their height.

    Examples
    --------
    >>> import numpy as np
    >>> from whalefeat.models import XceptionClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(8, 20, 24)).astype("float32")
    >>> y = np.array(["noise", "upcall"] * 4)
    >>> clf = XceptionClassifier(image_size=71, weights=None, trainable="head",
    ...                          epochs=1, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (8, 2)
    >>> clf.classes_.tolist()
    ['noise', 'upcall']
    """

    _parameter_constraints: dict = {
        **_KerasClassifier._parameter_constraints,
        "frequency_mask": [Interval(Real, 0, 1, closed="left")],
        "image_size": [Interval(Integral, MIN_IMAGE_SIZE, None, closed="left"), tuple, list],
        "weights": [str, os.PathLike, None],
        "trainable": [
            StrOptions({"all", "head"}),
            Interval(Integral, 0, N_BLOCKS, closed="both"),
        ],
        "fine_tune_epochs": [Interval(Integral, 0, None, closed="left")],
        "fine_tune_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "sample_scaling": [StrOptions({"minmax"}), None],
        "head_units": [Interval(Integral, 1, None, closed="left")],
        "head_activation": [str],
        "head_dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="both")],
    }
    _allowed_ndims = (2, 3, 4)
    # model input (n, H, W, C): time runs along the width, frequency along the height
    _time_axis = 2
    _feature_axis = 1
    _feature_mask_parameter = "frequency_mask"
    _feature_mask_doc = """\
    frequency_mask : float in [0, 1), default=0.0
        Augmentation: SpecAugment-style frequency masking, as ``time_mask``
        along the image's height (the frequency axis of a spectrogram
        ``(n, n_freqs, n_frames)``): each masked row becomes its own mean over
        time. 0 turns it off.
"""

    def __init__(
        self,
        *,
        image_size: int | tuple[int, int] = 128,
        weights: str | os.PathLike | None = "imagenet",
        trainable: str | int = "all",
        fine_tune_epochs: int = 0,
        fine_tune_learning_rate: float = 1e-5,
        sample_scaling: str | None = "minmax",
        head_units: int = 100,
        head_activation: str = "relu",
        head_dropout: float = 0.1,
        batch_norm_momentum: float = 0.9,
        epochs: int = 10,
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
        frequency_mask: float = 0.0,
        n_masks: int = 1,
        mixup: float = 0.0,
    ) -> None:
        self.image_size = image_size
        self.weights = weights
        self.trainable = trainable
        self.fine_tune_epochs = fine_tune_epochs
        self.fine_tune_learning_rate = fine_tune_learning_rate
        self.sample_scaling = sample_scaling
        self.head_units = head_units
        self.head_activation = head_activation
        self.head_dropout = head_dropout
        self.batch_norm_momentum = batch_norm_momentum
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
        self.frequency_mask = frequency_mask
        self.n_masks = n_masks
        self.mixup = mixup

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The per-sample min-max scaling inside the network maps every
        # two-feature tabular sample onto (-1, 1) or (1, -1), so the make_blobs
        # data of scikit-learn's accuracy checks is not separable for it.
        tags.classifier_tags.poor_score = True
        return tags

    def _image_size(self) -> tuple[int, int]:
        size = self.image_size
        if isinstance(size, Integral):
            return int(size), int(size)
        if (
            len(size) != 2
            or not all(isinstance(s, Integral) and not isinstance(s, bool) for s in size)
            or min(size) < MIN_IMAGE_SIZE
        ):
            raise ValueError(
                f"image_size must be an int or a pair of ints, each at least "
                f"{MIN_IMAGE_SIZE} (Xception's minimum), got {size!r}."
            )
        return int(size[0]), int(size[1])

    def _check_params(self, X: np.ndarray) -> None:
        self._image_size()
        if self.weights is not None and self.weights != "imagenet":
            if not os.path.isfile(self.weights):
                raise ValueError(
                    f"weights must be 'imagenet', None or the path of a weights file; "
                    f"no file at {os.fspath(self.weights)!r}."
                )
        if self.fine_tune_epochs > 0 and self.trainable in ("head", 0):
            raise ValueError(
                f"fine_tune_epochs={self.fine_tune_epochs} needs trainable='all' or a "
                f"number of blocks > 0 to fine-tune after the head; got "
                f"trainable={self.trainable!r}."
            )
        if X.ndim == 4 and X.shape[-1] not in (1, 3):
            raise ValueError(
                f"XceptionClassifier expects images (n, H, W, C) with 1 or 3 channels, "
                f"got {X.shape[-1]} channels (X of shape {X.shape})."
            )

    def _to_model_input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim == 2:
            return X[:, np.newaxis, :, np.newaxis]
        if X.ndim == 3:
            return X[..., np.newaxis]
        return X

    def _custom_objects(self, keras) -> dict:
        layer = _sample_scaling_class(keras)
        return {"whalefeat>SampleMinMax": layer, "SampleMinMax": layer}

    def _base_model(self, keras, height: int, width: int):
        weights = self.weights if self.weights in (None, "imagenet") else os.fspath(self.weights)
        try:
            return keras.applications.Xception(
                include_top=False, weights=weights, input_shape=(height, width, 3)
            )
        except Exception as exc:
            if weights != "imagenet":
                raise
            raise RuntimeError(
                "Could not load Xception's ImageNet weights. Keras downloads them once "
                "to ~/.keras/models/, which needs internet access; offline, pass "
                f"weights= the path of a local copy of {_IMAGENET_FILE}, or weights=None. "
                f"The download failed with: {exc}"
            ) from exc

    def _build_model(self, keras, X: np.ndarray, n_classes: int):
        layers = keras.layers
        input_shape = X.shape[1:]
        height, width = self._image_size()
        inputs = keras.Input(shape=input_shape, name="image")
        x = inputs
        if self.sample_scaling == "minmax":
            x = _sample_scaling_class(keras)(name="sample_minmax")(x)
        x = layers.Resizing(height, width, interpolation="bilinear", name="resize")(x)
        if input_shape[-1] == 1:
            x = layers.Concatenate(axis=-1, name="to_rgb")([x, x, x])
        base = self._base_model(keras, height, width)
        for layer in base.layers:
            if isinstance(layer, layers.BatchNormalization):
                layer.momentum = float(self.batch_norm_momentum)
        x = base(x)
        x = layers.GlobalAveragePooling2D(name="head_pool")(x)
        x = layers.Dense(self.head_units, activation=self.head_activation, name="head_dense")(x)
        x = layers.Dropout(self.head_dropout, name="head_dropout")(x)
        outputs = layers.Dense(n_classes, activation="softmax", name="output")(x)
        return keras.Model(inputs, outputs, name="xception_classifier")

    @staticmethod
    def _set_trainable(model, trainable) -> None:
        base = model.get_layer("xception")
        if trainable == "all":
            trainable = N_BLOCKS
        elif trainable == "head":
            trainable = 0
        if trainable == 0:
            base.trainable = False
            return
        base.trainable = True  # recursive: every layer, then refreeze the early blocks
        first = N_BLOCKS - trainable + 1
        for layer, block in zip(base.layers, _layer_blocks(base), strict=True):
            layer.trainable = block >= first

    def _training_phases(self, model):
        if self.fine_tune_epochs == 0:
            self._set_trainable(model, self.trainable)
            yield self.epochs, self.learning_rate
            return
        self._set_trainable(model, "head")
        yield self.epochs, self.learning_rate
        self._set_trainable(model, self.trainable)
        yield self.fine_tune_epochs, self.fine_tune_learning_rate

"""Shared scikit-learn glue for the Keras classifiers (private).

Keras is imported lazily, on the first ``fit`` (or unpickling), so that
``import whalefeat.models`` never imports TensorFlow.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import os
import random
import tempfile
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import HasMethods, Interval, StrOptions, _fit_context
from ._augment import Augmentation, training_batches
from ._inference import forward

_INSTALL_HINT = 'pip install "whalefeat[tensorflow]" (or "whalefeat[jax]", "whalefeat[torch]")'

# numpydoc text of the training parameters that every Keras classifier shares;
# each class docstring holds a ``%(training_parameters)s`` line where it goes.
_TRAINING_PARAMETERS_DOC = """\
learning_rate : float or None, default=1e-3
        Learning rate; ``None`` keeps the optimizer's own.
    learning_rate_schedule : callable or None, default=None
        A function of the epoch (counted from 0 in each training phase) and
        the current learning rate giving the learning rate of that epoch, as
        :class:`keras.callbacks.LearningRateScheduler` takes; it then replaces
        ``learning_rate``. :class:`~whalefeat.models.WarmupDecaySchedule` is
        one. Use a picklable callable (not a lambda) so that the estimator
        pickles.
    validation_split : float, default=0.0
        Fraction of the training data held out (stratified by class where
        every class has at least two samples; seeded by ``random_state``) to
        compute ``val_loss`` and ``val_accuracy`` after each epoch.
    patience : int or None, default=None
        If not None, early stopping after ``patience`` epochs without
        improvement of ``val_loss`` (or of the training ``loss`` when
        ``validation_split=0``).
    restore_best_weights : bool, default=True
        With early stopping, end with the weights of the best epoch.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss: ``{label: weight}`` (labels not
        listed weigh 1) or ``"balanced"`` (``n_samples / (n_classes *
        count)``).
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks. Each ``fit`` trains with deep copies of them,
        so the objects passed here stay unchanged.
    verbose : int or bool, default=0
        Keras's training output: 0 silent, 1 progress bar, 2 one line per
        epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split through ``keras.utils.set_random_seed``, which makes training
        reproducible on CPU. Python's and NumPy's global random states are
        restored after fitting; TensorFlow's global seed stays set. ``None``
        seeds nothing.
    warm_start : bool, default=False
        If True and already fitted, ``fit`` continues training the current
        network (new optimizer state) instead of building a new one; the
        per-sample input shape must match and ``y`` may only hold known
        classes. ``history_`` is then extended.
    time_shift : float in [0, 1), default=0.0
        Augmentation (of training batches only; see Notes): each training
        sample is rolled circularly along the time axis by a number of steps
        drawn uniformly from ``-m ... m``, ``m = floor(time_shift *
        n_steps)``. 0 turns it off.
    time_mask : float in [0, 1), default=0.0
        Augmentation: SpecAugment-style time masking. ``n_masks`` spans of
        the time axis per training sample, each of a width drawn uniformly
        from ``0 ... floor(time_mask * n_steps)``, are replaced by the
        sample's mean over time (per frequency bin or channel). 0 turns it
        off.
%(feature_mask_doc)s    n_masks : int, default=1
        Number of masks of each kind (time, and frequency or channel) drawn
        for every training sample where that mask is on.
    mixup : float, default=0.0
        Augmentation: mixup with ``Beta(mixup, mixup)`` mixing coefficients.
        Each training sample is mixed with a random partner of its batch,
        inputs, targets (one-hot, so the loss becomes the categorical
        cross-entropy of soft targets) and class weights with the same
        coefficient. 0 turns it off; 0.2 to 0.4 are usual values.
"""

# The paragraph on augmentation that the class docstrings' Notes share.
_AUGMENTATION_NOTES = """Augmentation (``time_shift``, ``time_mask``, %(feature_mask)s and
    ``mixup``, all off by default) is applied inside ``fit`` to the training
    mini-batches only, drawn anew for every batch of every epoch from a
    generator seeded by ``random_state``; the samples held out by
    ``validation_split`` (and so early stopping) and everything ``predict``
    and ``predict_proba`` see stay unchanged. Per batch, the order is: time
    shift, masking, mixup.
"""


def _fill_training_parameters(cls):
    """Insert the shared training-parameter descriptions into ``cls.__doc__``."""
    if cls.__doc__:  # None under ``python -OO``
        cls.__doc__ = cls.__doc__.replace(
            "%(training_parameters)s\n",
            _TRAINING_PARAMETERS_DOC.replace("%(feature_mask_doc)s", cls._feature_mask_doc),
            1,
        ).replace(
            "%(augmentation_notes)s\n",
            _AUGMENTATION_NOTES.replace("%(feature_mask)s", f"``{cls._feature_mask_parameter}``"),
            1,
        )
    return cls


def _import_keras(owner: str = "the whalefeat Keras classifiers"):
    """Import and return ``keras`` (version 3), or raise a helpful ImportError."""
    try:
        keras = importlib.import_module("keras")
    except ImportError as exc:
        if importlib.util.find_spec("keras") is None:
            raise ImportError(
                f"{owner} need Keras 3 and one of its backends (TensorFlow, JAX or PyTorch), "
                f"which are not installed. Install them with: {_INSTALL_HINT}"
            ) from exc
        backend = os.environ.get("KERAS_BACKEND", "tensorflow")
        raise ImportError(  # Keras is there, its backend is not
            f"{owner} need a Keras backend: Keras is installed, but importing it with "
            f"KERAS_BACKEND={backend!r} failed ({exc}). Install that backend (for "
            f"example {_INSTALL_HINT}) or set KERAS_BACKEND to an installed one."
        ) from exc
    version = getattr(keras, "__version__", "0")
    if int(version.split(".")[0]) < 3:
        raise ImportError(
            f"{owner} need Keras 3, found keras {version}. Upgrade with: {_INSTALL_HINT}"
        )
    return keras


@contextmanager
def _seeded(keras, random_state):
    """Seed Keras (and TensorFlow) from ``random_state`` for the duration of a block.

    ``keras.utils.set_random_seed`` also reseeds Python's ``random`` and
    NumPy's global generator; their previous states are restored on exit so
    that fitting never changes the caller's random streams. With
    ``random_state=None`` nothing is seeded.
    """
    if random_state is None:
        yield
        return
    if isinstance(random_state, Integral):
        seed = int(random_state)
    else:
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    python_state = random.getstate()
    numpy_state = np.random.get_state()  # noqa: NPY002 (the global state is the point)
    keras.utils.set_random_seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)  # noqa: NPY002


def _model_to_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.keras")
        model.save(path)
        with open(path, "rb") as handle:
            return handle.read()


def _model_from_bytes(keras, data: bytes, custom_objects: dict):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.keras")
        with open(path, "wb") as handle:
            handle.write(data)
        return keras.saving.load_model(path, custom_objects=custom_objects, compile=False)


class _KerasClassifier(ClassifierMixin, BaseEstimator):
    """Base class: data checks, label encoding, training loop, pickling.

    Subclasses define ``__init__`` (storing every parameter), and implement
    ``_check_params``, ``_allowed_ndims``, ``_to_model_input``,
    ``_build_model`` and ``_custom_objects``; they may override
    ``_training_phases`` for multi-phase schedules, and ``_training_model``
    with ``_repeats_targets`` to train a model with several outputs stacked
    on axis 1, each against the same targets.
    """

    _parameter_constraints: dict = {
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "optimizer": [str, dict, HasMethods(["get_config"])],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "learning_rate_schedule": [callable, None],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
        "patience": [Interval(Integral, 0, None, closed="left"), None],
        "restore_best_weights": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "callbacks": [list, None],
        "verbose": [Interval(Integral, 0, 2, closed="both"), "boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "time_shift": [Interval(Real, 0, 1, closed="left")],
        "time_mask": [Interval(Real, 0, 1, closed="left")],
        "n_masks": [Interval(Integral, 1, None, closed="left")],
        "mixup": [Interval(Real, 0, None, closed="left")],
    }

    #: phases with at most this many training steps run eagerly (no tracing)
    _max_eager_steps = 4

    # ------------------------------------------------------------------ hooks
    _allowed_ndims: tuple[int, ...] = (2, 3)
    #: axes of the model input (axis 0: samples) that augmentation treats as
    #: time and as the masked feature axis, and the parameter of that mask
    _time_axis = 1
    _feature_axis = 2
    _feature_mask_parameter = "feature_mask"
    #: its numpydoc entry, inserted into the shared training parameters
    _feature_mask_doc = ""

    def _check_params(self, X: np.ndarray) -> None:
        """Cross-parameter and parameter/data checks (after ``_validate_params``)."""

    def _to_model_input(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _build_model(self, keras, X: np.ndarray, n_classes: int):
        """The Keras model for training inputs ``X`` (model layout) and ``n_classes``."""
        raise NotImplementedError

    def _custom_objects(self, keras) -> dict:
        return {}

    def _training_phases(self, model):
        """Yield ``(epochs, learning_rate)`` once per phase, after preparing ``model``."""
        yield self.epochs, self.learning_rate

    def _loss(self) -> str:
        """Keras loss compiled for training on the targets of ``_fit_targets``."""
        return "sparse_categorical_crossentropy"

    def _fit_targets(self, y_encoded: np.ndarray, n_classes: int) -> np.ndarray:
        """Training targets in the layout of ``_loss`` from class indices."""
        return y_encoded

    def _proba_from_output(self, output: np.ndarray) -> np.ndarray:
        """Class probabilities ``(n, n_classes)`` from the network's output."""
        return output

    def _augmentation(self) -> Augmentation:
        return Augmentation(
            time_axis=self._time_axis,
            feature_axis=self._feature_axis,
            time_shift=float(self.time_shift),
            time_mask=float(self.time_mask),
            feature_mask=float(getattr(self, self._feature_mask_parameter)),
            n_masks=int(self.n_masks),
            mixup=float(self.mixup),
        )

    # ------------------------------------------------------------- sklearn API
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    def _validate_X(self, X, *, reset: bool, y=None):
        kwargs = dict(allow_nd=True, dtype=(np.float32, np.float64), reset=reset)
        if y is None:
            X = validate_data(self, X, **kwargs)
        else:
            X, y = validate_data(self, X, y, **kwargs)
        name = type(self).__name__
        if X.ndim not in self._allowed_ndims:
            shapes = " or ".join(f"{d}-D" for d in self._allowed_ndims)
            raise ValueError(
                f"{name} expects a {shapes} array X, got an array of shape {X.shape}."
            )
        if not reset and tuple(X.shape[1:]) != self.input_shape_:
            raise ValueError(
                f"X has per-sample shape {tuple(X.shape[1:])}, but {name} was fitted on "
                f"per-sample shape {self.input_shape_}."
            )
        return X if y is None else (X, y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike) -> _KerasClassifier:
        """Train the network on ``X`` and the class labels ``y``.

        Parameters
        ----------
        X : array-like
            Training inputs; see the class docstring for the accepted shapes.
        y : array-like of shape (n_samples,)
            Class labels of any type (integers, strings, ...); at least two
            classes.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        keras = _import_keras(type(self).__name__)
        warm = self.warm_start and hasattr(self, "model_")
        X, y = self._validate_X(X, reset=not warm, y=y)
        check_classification_targets(y)
        self._check_params(X)

        if warm:
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:
                raise ValueError(
                    f"warm_start=True: y holds labels {unseen.tolist()} that were not seen "
                    f"in the first fit (classes_ = {self.classes_.tolist()})."
                )
            y_encoded = np.searchsorted(self.classes_, y)
        else:
            classes, y_encoded = np.unique(y, return_inverse=True)
            if classes.size < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in y; "
                    f"got only one class: {classes.tolist()}."
                )
        class_weight = self._encoded_class_weight(self.classes_ if warm else classes, y_encoded)
        X_model = self._to_model_input(X)
        n_classes = (self.classes_ if warm else classes).size
        augmentation = self._augmentation()

        with _seeded(keras, self.random_state):
            train, validation = self._split_validation(X_model, y_encoded)
            sample_weight = None
            # Keras reads a class weight off each target row, which targets
            # repeated per output (_targets) no longer are: weigh the samples.
            if class_weight is not None and (augmentation.active or self._repeats_targets()):
                sample_weight = np.array(
                    [class_weight[label] for label in train[1].tolist()], dtype=np.float32
                )
                if self._repeats_targets():
                    sample_weight = np.repeat(
                        sample_weight[:, np.newaxis], self._repeats_targets(), axis=1
                    )
            train = (train[0], self._targets(train[1], n_classes, augmentation))
            if validation is not None:
                validation = (validation[0], self._targets(validation[1], n_classes, augmentation))
            if not warm:
                self.classes_ = classes
                self.input_shape_ = tuple(X.shape[1:])
                self.model_ = self._build_model(keras, train[0], classes.size)
                self.history_ = {}
                self.n_iter_ = 0
            if augmentation.active:
                # drawn after the split, so that a RandomState instance gives
                # the split the same draw as without augmentation
                seed = int(check_random_state(self.random_state).randint(2**31 - 1))
                self._train(
                    keras,
                    train,
                    validation,
                    None,
                    augmentation=augmentation,
                    sample_weight=sample_weight,
                    seed=seed,
                )
            elif sample_weight is not None:
                self._train(keras, train, validation, None, sample_weight=sample_weight)
            else:
                self._train(keras, train, validation, class_weight)
        return self

    def _targets(
        self, y_encoded: np.ndarray, n_classes: int, augmentation: Augmentation
    ) -> np.ndarray:
        """Training targets; one-hot (float) where mixup mixes them."""
        targets = self._fit_targets(y_encoded, n_classes)
        if augmentation.mixup and targets.ndim == 1:
            targets = np.eye(n_classes, dtype=np.float32)[targets]
        if self._repeats_targets():
            targets = np.repeat(targets[:, np.newaxis], self._repeats_targets(), axis=1)
        return targets

    def _repeats_targets(self) -> int:
        """How many outputs the training model stacks on axis 1 (0: a single output)."""
        return 0

    def _training_model(self, keras):
        """The model trained in ``fit``: ``model_`` itself, or one sharing its layers."""
        return keras.Model(self.model_.inputs, self.model_.outputs)

    def _compiled_loss(self, augmentation: Augmentation | None) -> str:
        loss = self._loss()
        if (
            augmentation is not None
            and augmentation.mixup
            and (loss == "sparse_categorical_crossentropy")
        ):
            return "categorical_crossentropy"  # of the mixed one-hot targets
        return loss

    def _encoded_class_weight(self, classes: np.ndarray, y_encoded: np.ndarray):
        if self.class_weight is None:
            return None
        if isinstance(self.class_weight, str):  # "balanced", on the classes present in y
            present = np.unique(y_encoded)
            weights = compute_class_weight("balanced", classes=present, y=y_encoded)
            encoded = dict.fromkeys(range(classes.size), 1.0)
            encoded.update(zip(present.tolist(), weights.tolist(), strict=True))
            return encoded
        unknown = [label for label in self.class_weight if label not in set(classes.tolist())]
        if unknown:
            raise ValueError(
                f"class_weight has labels {unknown} that are not classes of y "
                f"({classes.tolist()})."
            )
        return {
            index: float(self.class_weight.get(label, 1.0))
            for index, label in enumerate(classes.tolist())
        }

    def _split_validation(self, X: np.ndarray, y: np.ndarray):
        if self.validation_split == 0:
            return (X, y), None
        counts = np.bincount(y)
        counts = counts[counts > 0]
        n_validation = int(np.ceil(self.validation_split * y.size))
        feasible = counts.min() >= 2 and counts.size <= n_validation <= y.size - counts.size
        stratify = y if feasible else None
        try:
            X_train, X_val, y_train, y_val = train_test_split(
                X,
                y,
                test_size=self.validation_split,
                stratify=stratify,
                random_state=check_random_state(self.random_state).randint(2**31 - 1)
                if self.random_state is not None
                else None,
            )
        except ValueError as exc:
            raise ValueError(
                f"validation_split={self.validation_split} cannot split {y.size} samples "
                f"into a training and a validation set: {exc}"
            ) from exc
        return (X_train, y_train), (X_val, y_val)

    def _optimizer(self, keras, learning_rate):
        spec = self.optimizer
        try:
            if isinstance(spec, str):
                optimizer = keras.optimizers.get(spec)
                config = keras.optimizers.serialize(optimizer)
            elif isinstance(spec, dict):
                config = copy.deepcopy(spec)
            else:
                config = keras.optimizers.serialize(spec)
            if learning_rate is not None:
                config.setdefault("config", {})["learning_rate"] = float(learning_rate)
            return keras.optimizers.deserialize(config)
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(
                f"optimizer={spec!r} is not a Keras optimizer name, config dict or instance: {exc}"
            ) from exc

    def _train(
        self,
        keras,
        train,
        validation,
        class_weight,
        *,
        augmentation=None,
        sample_weight=None,
        seed=None,
    ) -> None:
        # A functional twin sharing the layers of model_: compiling it keeps the
        # optimizer out of model_, so model_ pickles to architecture + weights only.
        trainer = self._training_model(keras)
        for phase, (epochs, learning_rate) in enumerate(self._training_phases(self.model_)):
            n_steps = epochs * -(-train[1].shape[0] // self.batch_size)
            trainer.compile(
                optimizer=self._optimizer(keras, learning_rate),
                loss=self._compiled_loss(augmentation),
                metrics=["accuracy"],
                # Tracing the training step costs several eager steps; skip it
                # when there are only a few steps to run.
                run_eagerly=n_steps <= self._max_eager_steps,
            )
            callbacks = [copy.deepcopy(callback) for callback in self.callbacks or []]
            if self.learning_rate_schedule is not None:
                callbacks.append(
                    keras.callbacks.LearningRateScheduler(self.learning_rate_schedule)
                )
            if self.patience is not None:
                callbacks.append(
                    keras.callbacks.EarlyStopping(
                        monitor="val_loss" if validation is not None else "loss",
                        patience=self.patience,
                        restore_best_weights=self.restore_best_weights,
                    )
                )
            if augmentation is None:
                data = dict(
                    x=train[0],
                    y=train[1],
                    batch_size=self.batch_size,
                    class_weight=class_weight,
                    sample_weight=sample_weight,
                    shuffle=True,
                )
            else:
                batches = training_batches(
                    keras,
                    train[0],
                    train[1],
                    sample_weight,
                    batch_size=self.batch_size,
                    augmentation=augmentation,
                    seed=[seed, phase],
                )
                data = dict(
                    x=batches,
                    steps_per_epoch=batches.steps_per_epoch,
                    validation_batch_size=self.batch_size,
                    shuffle=False,
                )
            history = trainer.fit(
                **data,
                epochs=epochs,
                validation_data=validation,
                callbacks=callbacks,
                verbose=int(self.verbose),
            )
            for key, values in history.history.items():
                self.history_.setdefault(key, []).extend(float(v) for v in values)
            self.n_iter_ += len(history.epoch)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities (from the network's output layer).

        Parameters
        ----------
        X : array-like
            Inputs of the same per-sample shape as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        keras = _import_keras(type(self).__name__)
        X = self._to_model_input(X)
        # eager for a model's first batches, then one traced graph (see _inference)
        output = forward(keras, self.model_, X, self.batch_size).astype(np.float64)
        proba = self._proba_from_output(output)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like
            Inputs of the same per-sample shape as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    # ---------------------------------------------------------------- pickling
    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: the default is __dict__ itself
        model = state.pop("model_", None)
        if model is not None:
            state["_model_keras_bytes"] = _model_to_bytes(model)
        return state

    def __setstate__(self, state):
        state = dict(state)
        data = state.pop("_model_keras_bytes", None)
        super().__setstate__(state)
        if data is not None:
            keras = _import_keras(type(self).__name__)
            self.model_ = _model_from_bytes(keras, data, self._custom_objects(keras))

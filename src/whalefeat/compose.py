"""Joining feature series: :class:`SeriesUnion`."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import FeatureUnion

__all__ = ["SeriesUnion"]


class SeriesUnion(FeatureUnion):
    """Run transformers side by side and join their series along the feature axis.

    The 3-D counterpart of :class:`sklearn.pipeline.FeatureUnion`: every
    transformer receives the same input and returns series of shape
    ``(n_samples, n_steps, n_features_k)`` with the same ``n_samples`` and
    ``n_steps`` (frames, windows); the outputs are concatenated along the last
    axis into ``(n_samples, n_steps, sum_k n_features_k)``, the channels of one
    series for a sequence model such as
    :class:`~whalefeat.models.Inception1DClassifier`. 2-D outputs
    ``(n_samples, n_features_k)`` are joined the same way (as
    ``FeatureUnion`` does), but 2-D and 3-D outputs cannot be mixed.

    Everything else (``transformer_list``, ``n_jobs``, ``transformer_weights``,
    ``verbose_feature_names_out``, parameter access as
    ``"<name>__<parameter>"``, ``get_feature_names_out``) is that of
    :class:`~sklearn.pipeline.FeatureUnion`. Feature names are those of the
    last axis, prefixed by the transformer's name: ``"<name>__<feature>"``.

    Parameters
    ----------
    transformer_list : list of (str, transformer)
        The transformers, each with a unique name; a transformer may be
        ``"drop"`` to leave it out.
    n_jobs : int or None, default=None
        Transformers fitted and applied in parallel by joblib.
    transformer_weights : dict or None, default=None
        Multiplicative weights of each transformer's output, keyed by name.
    verbose : bool, default=False
        Print the time of fitting each transformer.
    verbose_feature_names_out : bool, default=True
        Prefix the output feature names with the transformer names.

    See Also
    --------
    sklearn.pipeline.FeatureUnion : The same for 2-D features.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from whalefeat import SeriesUnion
    >>> S = np.random.default_rng(0).random((2, 8, 5))      # 2 spectrograms, 8 bins, 5 frames
    >>> frames = FunctionTransformer(lambda S: S.transpose(0, 2, 1))   # (2, 5, 8)
    >>> total = FunctionTransformer(lambda S: S.sum(axis=1)[:, :, None])  # (2, 5, 1)
    >>> SeriesUnion([("frames", frames), ("total", total)]).fit_transform(S).shape
    (2, 5, 9)
    """

    def _hstack(self, Xs):
        arrays = [np.asarray(X) for X in Xs]
        names = [
            name
            for name, transformer in self.transformer_list
            if transformer not in ("drop", None)
        ]
        ndims = {array.ndim for array in arrays}
        if len(ndims) > 1 or not ndims <= {2, 3}:
            shapes = ", ".join(
                f"{name!r}: {array.shape}" for name, array in zip(names, arrays, strict=True)
            )
            raise ValueError(
                "SeriesUnion joins outputs that are all series (n_samples, n_steps, "
                f"n_features) or all (n_samples, n_features); got {shapes}"
            )
        lead = {array.shape[:-1] for array in arrays}
        if len(lead) > 1:
            shapes = ", ".join(
                f"{name!r}: {array.shape}" for name, array in zip(names, arrays, strict=True)
            )
            raise ValueError(
                "SeriesUnion needs the same number of samples and steps from every "
                f"transformer; got {shapes}"
            )
        return np.concatenate(arrays, axis=-1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

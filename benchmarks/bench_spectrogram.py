"""Spectrogram speed: whalefeat's batched float32 STFT against scipy's on the same output.

Every case computes the same spectrograms on the same clips: 256-sample hann
frames, hop 32, one-sided power spectral density, the 118 frames that lie fully
inside each 4000-sample clip (for ``ShortTimeFFT``, slices ``p0=0`` to
``p1=118`` with ``k_offset=m_num_mid``, so it neither pads nor computes the
extra border slices). The clips are Gaussian noise in float32 (the cost of an
FFT does not depend on the values).

The mel cases compute the study's mel spectrogram (centred frames, 64 HTK mel
bands from 50 to 300 Hz, raw periodogram, Slaney-normalised filters) against
:func:`librosa.feature.melspectrogram` on the same float32 clips, both batched
(librosa takes a 2-D array) and one clip per call; ``"db"`` adds
``power_to_db(ref=np.min, top_db=80)`` of each clip. They need librosa and are
left out without it.
"""

from __future__ import annotations

import numpy as np
import scipy.signal
from run_benchmarks import Case
from sklearn.base import clone

from whalefeat.spectrogram import Spectrogram

SAMPLE_RATE = 2000
WINDOW_LENGTH = 256
HOP_LENGTH = 32
N_SAMPLES = 4000


def cases(quick: bool) -> list[Case]:
    n_clips = 200 if quick else 3000
    X = np.random.default_rng(0).normal(scale=0.01, size=(n_clips, N_SAMPLES)).astype(np.float32)
    name = f"spectrogram {n_clips} clips x {N_SAMPLES}"

    ours_full = Spectrogram(
        sample_rate=SAMPLE_RATE,
        window_length=WINDOW_LENGTH,
        hop_length=HOP_LENGTH,
        fmin=None,
        fmax=None,
        scaling="power",
    ).fit(X)
    n_frames = len(ours_full.times_)
    window = scipy.signal.get_window("hann", WINDOW_LENGTH)
    stft = scipy.signal.ShortTimeFFT(
        window, HOP_LENGTH, SAMPLE_RATE, fft_mode="onesided2X", scale_to="psd"
    )
    stft_kwargs = {"p0": 0, "p1": n_frames, "k_offset": stft.m_num_mid}
    spectrogram_kwargs = {
        "fs": SAMPLE_RATE,
        "window": "hann",
        "nperseg": WINDOW_LENGTH,
        "noverlap": WINDOW_LENGTH - HOP_LENGTH,
        "detrend": False,
        "scaling": "density",
    }

    def stft_loop():
        return np.stack([stft.spectrogram(x, **stft_kwargs) for x in X])

    def stft_batched():
        return stft.spectrogram(X, axis=-1, **stft_kwargs)

    def spectrogram_loop():
        return np.stack([scipy.signal.spectrogram(x, **spectrogram_kwargs)[2] for x in X])

    def spectrogram_batched():
        return scipy.signal.spectrogram(X, axis=-1, **spectrogram_kwargs)[2]

    ours_default = Spectrogram().fit(X)
    band = (stft.f >= ours_default.fmin) & (stft.f <= ours_default.fmax)

    def stft_loop_default():
        return np.stack(
            [10 * np.log10(np.maximum(stft.spectrogram(x, **stft_kwargs)[band], 1e-20)) for x in X]
        )

    def ours():
        return ours_full.transform(X)

    peer_repeat = 1 if not quick else 3
    return _mel_cases(X, quick) + [
        Case(
            f"{name} (power, all bins)",
            ours,
            "ShortTimeFFT per-clip loop",
            stft_loop,
            peer_repeat=peer_repeat,
        ),
        Case(
            f"{name} (power, all bins)",
            ours,
            "spectrogram per-clip loop",
            spectrogram_loop,
            peer_repeat=peer_repeat,
        ),
        Case(
            f"{name} (power, all bins)",
            ours,
            "ShortTimeFFT batched",
            stft_batched,
            peer_repeat=peer_repeat,
        ),
        Case(
            f"{name} (power, all bins)",
            ours,
            "spectrogram batched",
            spectrogram_batched,
            peer_repeat=peer_repeat,
        ),
        Case(
            f"{name} (default: dB, 40-400 Hz)",
            lambda: ours_default.transform(X),
            "ShortTimeFFT loop+crop+dB",
            stft_loop_default,
            peer_repeat=peer_repeat,
        ),
    ]


def _mel_cases(X: np.ndarray, quick: bool) -> list[Case]:
    try:
        import librosa
    except ImportError:
        return []
    name = f"mel spectrogram {len(X)} clips x {N_SAMPLES}"
    settings = {"n_mels": 64, "fmin": 50.0, "fmax": 300.0}
    ours_power = Spectrogram(
        sample_rate=SAMPLE_RATE,
        window_length=WINDOW_LENGTH,
        hop_length=HOP_LENGTH,
        mel_scale="htk",
        center=True,
        normalization="raw",
        scaling="power",
        **settings,
    ).fit(X)
    ours_db = clone(ours_power).set_params(scaling="db", ref="min", top_db=80.0, floor=1e-10)
    ours_db.fit(X)
    librosa_kwargs = {
        "sr": SAMPLE_RATE,
        "n_fft": WINDOW_LENGTH,
        "hop_length": HOP_LENGTH,
        "htk": True,
        **settings,
    }
    # the per-clip loop is timed on a tenth of the clips and scaled up
    loop_clips = X[: max(1, len(X) // 10)]
    loop_scale = len(X) / len(loop_clips)

    def librosa_batched():
        return librosa.feature.melspectrogram(y=X, **librosa_kwargs)

    def librosa_loop():
        return np.stack(
            [librosa.feature.melspectrogram(y=x, **librosa_kwargs) for x in loop_clips]
        )

    def librosa_batched_db():
        M = librosa.feature.melspectrogram(y=X, **librosa_kwargs)
        return np.stack([librosa.power_to_db(m, ref=np.min) for m in M])

    peer_repeat = 1 if not quick else 3
    return [
        Case(
            f"{name} (power)",
            lambda: ours_power.transform(X),
            "librosa batched",
            librosa_batched,
            peer_repeat=peer_repeat,
        ),
        Case(
            f"{name} (power)",
            lambda: ours_power.transform(X),
            "librosa per-clip loop",
            librosa_loop,
            peer_repeat=peer_repeat,
            peer_scale=loop_scale,
        ),
        Case(
            f"{name} (dB re min, top_db 80)",
            lambda: ours_db.transform(X),
            "librosa batched+power_to_db",
            librosa_batched_db,
            peer_repeat=peer_repeat,
        ),
    ]

"""Toy classification data sets from *Neural Networks from Scratch* (spiral and vertical).

Same formulas as the book's ``nnfs`` package, but each call draws from its own
``np.random.default_rng(seed)``: no global random state is read or changed.
Rows come grouped by class: ``samples`` rows of class 0, then class 1, and so on.
"""
from __future__ import annotations

import numpy as np


def spiral_data(samples: int, classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class.

    Point i of class c has radius r_i = linspace(0, 1) and angle t_i = linspace(4c, 4(c+1))
    plus 0.2 * noise, and sits at (r sin(2.5 t), r cos(2.5 t)).
    Returns X (samples * classes, 2) float64 and y (samples * classes,) int64.
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(classes)
    y = np.repeat(labels, samples).astype(np.int64)
    radius = np.tile(np.linspace(0.0, 1.0, samples), classes)
    angle = np.linspace(4 * labels, 4 * (labels + 1), samples, axis=1).ravel()
    angle = angle + 0.2 * rng.standard_normal(samples * classes)
    X = np.column_stack([radius * np.sin(2.5 * angle), radius * np.cos(2.5 * angle)])
    return X, y


def vertical_data(samples: int, classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Vertical blobs: class c is centred at (c / 3, 0.5) with 0.1 * noise on each coordinate.

    Returns X (samples * classes, 2) float64 and y (samples * classes,) int64.
    """
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(classes), samples).astype(np.int64)
    centres = np.column_stack([y / 3, np.full(y.shape, 0.5)])
    X = centres + 0.1 * rng.standard_normal((samples * classes, 2))
    return X, y


def held_out_split(X: np.ndarray, y: np.ndarray, per_class: int,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_held, y_held): per_class samples of each class, drawn with default_rng(seed),
    held out for judging what training learned; the order of the rest is kept."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        held[rng.choice(np.flatnonzero(y == label), per_class, replace=False)] = True
    return X[~held], y[~held], X[held], y[held]

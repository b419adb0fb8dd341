from __future__ import annotations

import numpy as np
import pytest

from gradlab.datasets import spiral_data, vertical_data

MAKERS = [spiral_data, vertical_data]


@pytest.mark.parametrize("make", MAKERS)
def test_shapes_and_dtypes(make):
    X, y = make(samples=50, classes=4)
    assert X.shape == (200, 2) and X.dtype == np.float64
    assert y.shape == (200,) and y.dtype == np.int64


@pytest.mark.parametrize("make", MAKERS)
def test_classes_are_balanced_and_grouped(make):
    _, y = make(samples=30, classes=5)
    assert np.array_equal(np.bincount(y), [30] * 5)
    assert np.array_equal(y, np.repeat(np.arange(5), 30))


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data_other_seed_other_data(make):
    X0, y0 = make(samples=40, classes=3, seed=7)
    X1, y1 = make(samples=40, classes=3, seed=7)
    X2, _ = make(samples=40, classes=3, seed=8)
    assert np.array_equal(X0, X1) and np.array_equal(y0, y1)
    assert not np.allclose(X0, X2)


@pytest.mark.parametrize("make", MAKERS)
def test_global_random_state_is_untouched(make):
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    make(samples=10, classes=3)
    assert np.random.random() == expected


def test_spiral_radius_runs_from_0_to_1_in_every_class():
    X, _ = spiral_data(samples=100, classes=3, seed=1)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.min() >= 0 and radius.max() <= 1 + 1e-12
    np.testing.assert_allclose(radius, np.tile(np.linspace(0, 1, 100), 3), atol=1e-12)


def test_spiral_angle_is_2_5_t_plus_noise_of_std_0_2():
    samples, classes = 2000, 3
    X, _ = spiral_data(samples, classes, seed=2)
    t = np.concatenate([np.linspace(4 * c, 4 * (c + 1), samples) for c in range(classes)])
    angle = np.arctan2(X[:, 0], X[:, 1])  # the point is (r sin(2.5 t), r cos(2.5 t))
    noise = np.angle(np.exp(1j * (angle - 2.5 * t))) / 2.5  # wrapped to (-pi, pi], then back to t units
    noise = noise[np.hypot(X[:, 0], X[:, 1]) > 0]  # the origin has no angle
    assert abs(noise.mean()) < 0.01
    assert abs(noise.std() - 0.2) < 0.01


def test_vertical_blobs_sit_at_c_over_3_and_one_half():
    X, y = vertical_data(samples=2000, classes=3, seed=3)
    for c in range(3):
        blob = X[y == c]
        np.testing.assert_allclose(blob.mean(axis=0), [c / 3, 0.5], atol=0.01)
        np.testing.assert_allclose(blob.std(axis=0), [0.1, 0.1], atol=0.01)

"""Tests for gradlab.widgets.TrainingExplorer: the logic behind the sliders and the Train button, without a browser.

What every explorer does (PNG, mimebundle, slider moves that blit into the same figure) is in tests/test_widgets.py.
"""
from __future__ import annotations

import threading

import numpy as np
import pytest

from gradlab import training
from gradlab.datasets import spiral_data
from gradlab.nn import accuracy
from gradlab.plots import decision_regions
from gradlab.widgets import TrainingExplorer
from gradlab.widgets.training import UPDATES

X, Y = spiral_data(100, 3)
EPOCHS = 300  # the explorer's runs here: a tenth of a second each


@pytest.fixture
def explorer():
    return TrainingExplorer(X, Y, epochs=EPOCHS)


def direct(learning_rate: float, hidden: int, epochs: int) -> tuple[training.History, float, float]:
    """gradlab.training.train run directly, and its trained network's (loss, training accuracy) on the data."""
    history = training.train(X, Y, epochs=epochs, learning_rate=learning_rate, hidden=hidden, seed=0)
    loss, probs, _ = training.forward_backward(history.params, X, Y)
    return history, loss, accuracy(probs, Y)


def assert_shows(explorer: TrainingExplorer, learning_rate: float, hidden: int, epochs: int) -> None:
    """The explorer's numbers, curves, regions, progress bar and label are those of this run of training.train."""
    history, loss, correct = direct(learning_rate, hidden, epochs)
    s = explorer.state()
    assert (s["trained_learning_rate"], s["trained_hidden"], s["trained_epochs"]) == (learning_rate, hidden, epochs)
    assert (s["loss"], s["accuracy"], s["stale"]) == (loss, correct, False)
    np.testing.assert_array_equal(explorer._loss.get_ydata(), history.loss)
    np.testing.assert_array_equal(explorer._accuracy.get_ydata(), history.accuracy)
    regions = explorer._regions.get_array()
    expected = decision_regions(history.params, tuple(explorer._regions.get_extent()), regions.shape[0])[2]
    np.testing.assert_array_equal(regions, expected)
    assert explorer.progress.value == explorer.progress.max == epochs
    assert explorer._loss_ax.get_xlim() == (0, epochs)
    assert explorer.label.value == (f"learning rate {learning_rate:.3g}, {hidden} hidden, {epochs} epochs: "
                                    f"final loss {loss:.4f}, training accuracy {correct:.3f}")
    assert not explorer.button.disabled


def test_construction_shows_a_trained_network(explorer):
    assert (explorer.learning_rate.value, explorer.hidden.value, explorer.epochs.value) == (0.5, 64, EPOCHS)
    assert_shows(explorer, 0.5, 64, EPOCHS)
    assert explorer.state()["accuracy"] > 0.5  # the spiral, far better than guessing after 300 epochs


def test_moving_a_slider_asks_for_train_and_does_not_train(explorer, monkeypatch):
    monkeypatch.setattr("gradlab.widgets.training.train", lambda *a, **k: pytest.fail("a slider move trained"))
    before, history, picture = explorer.state(), explorer.history, explorer.png()
    explorer.learning_rate.value = 2.0
    explorer.hidden.value = 16
    explorer.epochs.value = 500
    s = explorer.state()
    assert (s["learning_rate"], s["hidden"], s["epochs"], s["stale"]) == (2.0, 16, 500, True)
    shown = ("trained_learning_rate", "trained_hidden", "trained_epochs", "loss", "accuracy")
    assert [s[name] for name in shown] == [before[name] for name in shown]
    assert explorer.history is history and explorer.progress.value == EPOCHS
    assert explorer.label.value.startswith("learning rate 2, 16 hidden, 500 epochs — press Train<br>")
    assert f"the picture shows learning rate 0.5, 64 hidden, {EPOCHS} epochs" in explorer.label.value
    assert explorer._title.get_text() == "press Train for learning rate 2, 16 hidden, 500 epochs"
    assert explorer.png() != picture
    explorer.learning_rate.value, explorer.hidden.value, explorer.epochs.value = 0.5, 64, EPOCHS
    assert explorer.state() == before and explorer.png() == picture  # back at the run shown: not stale


def test_train_runs_training_with_the_slider_values(explorer):
    picture = explorer.png()
    explorer.learning_rate.value, explorer.hidden.value = 1.0, 16  # the same epochs: the x-range stays
    explorer.train()
    assert_shows(explorer, 1.0, 16, EPOCHS)
    assert explorer.png() != picture


def test_the_button_trains_and_new_epochs_redraw_the_background_once(explorer, monkeypatch):
    draws = []
    draw = explorer._canvas.draw
    monkeypatch.setattr(explorer._canvas, "draw", lambda: (draws.append(1), draw()))
    explorer.epochs.value = 250
    assert not draws  # the x-range follows the epochs only when training
    explorer.button.click()
    assert len(draws) == 1
    assert_shows(explorer, 0.5, 64, 250)


def test_training_shows_its_progress_by_blitting(explorer, monkeypatch):
    seen = []  # (progress bar, loss points drawn, title, Train disabled) at each picture sent
    explorer.image.observe(lambda _: seen.append((explorer.progress.value, len(explorer._loss.get_xdata()),
                                                  explorer._title.get_text(), explorer.button.disabled)),
                           names="value")
    monkeypatch.setattr(explorer._canvas, "draw", lambda: pytest.fail("training drew the whole figure again"))
    explorer.hidden.value = 32
    seen.clear()
    explorer.train()
    every = EPOCHS // UPDATES
    steps = list(range(0, EPOCHS, every))  # the empty start, then every 5 %; the last picture has every epoch
    assert [(bar, points) for bar, points, _, _ in seen] == [(k, k) for k in steps] + [(steps[-1], EPOCHS)]
    assert all(disabled for *_, disabled in seen)  # Train is off until the last picture has been sent
    assert seen[1][2] == f"training: epoch {every} of {EPOCHS}, loss {explorer.history.loss[every - 1]:.3f}"
    assert explorer.progress.value == explorer.progress.max == EPOCHS


def test_a_fresh_explorer_shows_its_run_at_exactly_the_rate_the_text_uses():
    explorer = TrainingExplorer(X, Y, epochs=250)
    assert explorer.learning_rate.value == 0.5 and explorer.learning_rate.label == "0.5"
    assert not explorer.state()["stale"]


def test_the_second_click_of_a_double_click_does_not_train_again(monkeypatch):
    explorer = TrainingExplorer(X, Y, epochs=250)
    runs = []
    monkeypatch.setattr(explorer, "_fit", lambda run, live: runs.append(run))
    explorer.button.click()
    explorer.button.click()                     # arrives as the first run ends: ignored
    assert len(runs) == 1
    monkeypatch.setattr("gradlab.widgets.training.DOUBLE_CLICK", -1.0)
    explorer.button.click()                     # a later, deliberate click trains again
    assert len(runs) == 2


def test_clicks_in_two_threads_train_once(explorer, monkeypatch):
    """ipykernel 7 may run the second click of a double-click in a subshell's thread while the first trains."""
    runs, fit = [], explorer._fit
    monkeypatch.setattr(explorer, "_fit", lambda *args: (runs.append(args), fit(*args)))
    explorer.hidden.value = 32
    clicks = [threading.Thread(target=explorer.button.click) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    assert len(runs) == 1
    assert_shows(explorer, 0.5, 32, EPOCHS)

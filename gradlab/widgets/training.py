"""Chapter 5: the training explorer, gradient descent on the spiral with a Train button."""
from __future__ import annotations

import time

import ipywidgets
import numpy as np

from gradlab.nn import accuracy
from gradlab.plots import decision_regions, plot_decision_regions
from gradlab.training import forward_backward, init_params, train
from gradlab.widgets.base import TEXT_RC, Explorer, choice_slider, serially

LOSS_LIMITS = (0.05, 20.0)  # cross-entropy clips probabilities at 1e-7, so it never exceeds 16.1
UPDATES = 20  # pictures sent while training: one every 5 % of the epochs
Run = tuple[float, int, int]  # learning rate, hidden width, epochs


def settings(run: Run) -> str:
    """A run's learning rate, hidden width and epochs in words."""
    learning_rate, hidden, epochs = run
    return f"learning rate {learning_rate:.3g}, {hidden} hidden, {epochs} epochs"


DOUBLE_CLICK = 0.5   # seconds after a run in which a click on the same settings is the rest of a double-click
RATES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0]   # the chapter's rates among them


ALT = ("Left: the loss (log scale) and training accuracy per epoch of the last run. Right: the decision regions of the"
       " trained network over the spiral data, coloured by class.")


class TrainingExplorer(Explorer):
    """Train the spiral network (momentum 0.9, decay 1e-3) with the sliders' learning rate, hidden width and
    epochs: the loss and accuracy curves grow while it trains, then the decision regions of the trained
    network are drawn over the data. Moving a slider does not train: the title asks for Train instead.

    Only the loss panel's title follows the sliders, so it is the one moving artist a slider move draws;
    the regions, points, curves and regions title are settled (Explorer.settle), drawn again when training
    changes them.
    """

    rc = TEXT_RC

    def __init__(self, X: np.ndarray, y: np.ndarray, learning_rate: float = 0.5, hidden: int = 64,
                 epochs: int = 1000, seed: int = 0) -> None:
        super().__init__(figsize=(9, 3.6), alt=ALT)
        self.X, self.y, self.seed = X, y, seed
        style = {"description_width": "90px"}
        self.learning_rate = choice_slider(RATES, learning_rate, "learning rate", style=style)
        self.hidden = ipywidgets.IntSlider(value=hidden, min=1, max=128, description="hidden", style=style)
        self.epochs = ipywidgets.IntSlider(value=epochs, min=250, max=3000, step=250, description="epochs",
                                           style=style)
        self.button = ipywidgets.Button(description="Train", button_style="primary")
        self.progress = ipywidgets.IntProgress(value=0, min=0, max=epochs, description="epochs run",
                                               style={"description_width": "initial"})
        self.button.on_click(serially(lambda _: self.press()))
        controls = ipywidgets.HBox([ipywidgets.VBox([self.learning_rate, self.hidden, self.epochs]),
                                    ipywidgets.VBox([self.button, self.progress])])
        self.widget = ipywidgets.VBox([controls, self.image, self.label])
        self.arrange()
        self._build_figure(epochs)
        self.observe(self.learning_rate, self.hidden, self.epochs)
        self.train(live=False)  # no one watches yet

    def _build_figure(self, epochs: int) -> None:
        """Draw the axes once; create the moving curves, titles, regions image and points."""
        loss_ax, regions_ax = self.figure.subplots(1, 2, width_ratios=(1.45, 1))
        accuracy_ax = loss_ax.twinx()
        loss_ax.set(xlim=(0, epochs), ylim=LOSS_LIMITS, yscale="log", xlabel="epoch")
        loss_ax.set_ylabel("loss (log scale)", color="C0")
        accuracy_ax.set_ylim(0.0, 1.0)
        accuracy_ax.set_ylabel("training accuracy", color="C2")
        guess = loss_ax.axhline(np.log(3), color="grey", linestyle=":", linewidth=1, label="ln 3 (guessing)")
        (self._loss,) = loss_ax.plot([], [], color="C0", label="loss")
        (self._accuracy,) = accuracy_ax.plot([], [], color="C2", label="accuracy")
        accuracy_ax.legend(handles=[self._loss, self._accuracy, guess], loc="lower left", ncol=3, fontsize=8)
        self._loss_ax = loss_ax
        # Titles of one blank line: the layout keeps room for the texts they get later.
        self._title, self._regions_title = loss_ax.set_title(" ", fontsize=9), regions_ax.set_title(" ", fontsize=9)
        start = init_params(self.X.shape[1], int(self.hidden.value), int(self.y.max()) + 1, self.seed)
        self._regions, self._points = plot_decision_regions(regions_ax, start, self.X, self.y)
        self.freeze([self._title], settled=[self._regions, *self._points, self._loss, self._accuracy, self._regions_title])

    def sliders(self) -> Run:
        """The run the sliders ask for."""
        return float(self.learning_rate.value), int(self.hidden.value), int(self.epochs.value)

    def state(self) -> dict[str, float | bool]:
        """The sliders; the run the picture shows (its settings, and its trained network's loss and training
        accuracy on the data); stale when the sliders differ from that run's settings."""
        wanted, (loss, correct) = self.sliders(), self._result
        return {"learning_rate": wanted[0], "hidden": wanted[1], "epochs": wanted[2],
                "trained_learning_rate": self._run[0], "trained_hidden": self._run[1], "trained_epochs": self._run[2],
                "loss": loss, "accuracy": correct, "stale": wanted != self._run}

    def update(self) -> None:
        """Title and label: the run shown, or (sliders moved) the run Train would do; then show."""
        s = self.state()
        result = f"final loss {s['loss']:.4f}, training accuracy {s['accuracy']:.3f}"
        if s["stale"]:
            wanted = settings(self.sliders())
            self._title.set(text=f"press Train for {wanted}", color="tab:red")
            self.label.value = f"{wanted} — press Train<br>(the picture shows {settings(self._run)}: {result})"
        else:
            self._title.set(text=f"{settings(self._run)}: loss {s['loss']:.3f}", color="black")
            self.label.value = f"{settings(self._run)}: {result}"
        self.show()

    def press(self) -> None:
        """Train, but not again for the second click of a double-click: it waits for the first run (the kernel
        is busy, or the click's thread waits for base.CALLBACKS), then finds the sliders unchanged and the run
        just finished."""
        if self.state()["stale"] or time.monotonic() - self._finished > DOUBLE_CLICK:
            self.train()

    def train(self, live: bool = True) -> None:
        """Train with the sliders' values (what the Train button does); live, the progress bar, the curves and
        the title advance every 5 % of the epochs. Then the trained network's regions are drawn."""
        self.button.disabled = True
        try:
            self._fit(self.sliders(), live)
        finally:
            self._finished = time.monotonic() if live else -DOUBLE_CLICK   # the first run, at construction, is no click
            self.button.disabled = False  # after the last picture: an enabled button means it has been sent

    def _fit(self, run: Run, live: bool) -> None:
        """Train the run, showing its progress if live; then draw its curves and regions and fill the progress bar."""
        learning_rate, hidden, epochs = run
        self.progress.value, self.progress.max = 0, epochs
        if self._loss_ax.get_xlim() != (0, epochs):  # a new x-range is a new background
            self._loss_ax.set_xlim(0, epochs)
            self.freeze(self._moving, self._settled)
        curves = np.empty((2, epochs))  # loss and accuracy per epoch
        every = max(epochs // UPDATES, 1)

        def progress(epoch: int, loss: float, correct: float) -> None:
            curves[:, epoch] = loss, correct
            if (epoch + 1) % every == 0 and epoch + 1 < epochs:
                self._show_progress(run, curves[:, : epoch + 1])

        if live:
            self._regions_title.set_text("decision regions: the previous run")
            self._show_progress(run, curves[:, :0])
        self.history = train(self.X, self.y, epochs=epochs, learning_rate=learning_rate, hidden=hidden,
                             seed=self.seed, progress=progress if live else None)
        loss, probs, _ = forward_backward(self.history.params, self.X, self.y)
        self._run, self._result = run, (loss, accuracy(probs, self.y))
        self._loss.set_data(np.arange(epochs), self.history.loss)
        self._accuracy.set_data(np.arange(epochs), self.history.accuracy)
        resolution = self._regions.get_array().shape[0]
        self._regions.set_data(decision_regions(self.history.params, tuple(self._regions.get_extent()), resolution)[2])
        self._regions_title.set_text(f"decision regions: training accuracy {self._result[1]:.3f}")
        self.settle()
        self.update()
        self.progress.value = epochs  # the bar fills after the last picture has been sent

    def _show_progress(self, run: Run, curves: np.ndarray) -> None:
        """Mid-training picture: the curves so far ((2, done): loss, accuracy), title, label and progress bar."""
        done = curves.shape[1]
        self._loss.set_data(np.arange(done), curves[0])
        self._accuracy.set_data(np.arange(done), curves[1])
        self.settle()
        text = f"training: epoch {done} of {run[2]}" + (f", loss {curves[0, -1]:.3f}" if done else "")
        self._title.set(text=text, color="C0")
        self.label.value = f"{settings(run)}, {text}"
        self.progress.value = done
        self.show()

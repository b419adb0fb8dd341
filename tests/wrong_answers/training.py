"""Answer cells as text for chapter 05 (see __init__.py); the learning rate and the training loop are judged by
outcome, not declared as records, so all their wrong and tuned answers are here."""
from __future__ import annotations


def momentum(velocity: str = "momentum * velocity[n] - learning_rate * grads[n]",
             params: str = "params[n] + new_velocity[n]", result: str = "new_params, new_velocity") -> str:
    """A momentum_step answer cell with some parts replaced by wrong ones."""
    return ("def momentum_step(params, grads, velocity, learning_rate, momentum):\n"
            f"    new_velocity = {{n: {velocity} for n in params}}\n"
            f"    new_params = {{n: {params} for n in params}}\n"
            f"    return {result}\n")


def step(grads: str = "grads", mu: str = "momentum", loss: str = "loss", result: str = "new_params, new_velocity, loss") -> str:
    """A train_step answer cell built on the reference parts, with some parts replaced by wrong ones."""
    return ("def train_step(params, velocity, X, y, learning_rate, momentum):\n"
            "    loss, probs, grads = training.forward_backward(params, X, y)\n"
            f"    new_params, new_velocity = training.momentum_step(params, {grads}, velocity, learning_rate, {mu})\n"
            f"    loss = {loss}\n"
            f"    return {result}\n")


def rate(value: str) -> str:
    """A choose_learning_rate answer cell returning value."""
    return f"def choose_learning_rate():\n    return {value}\n"


def loop(rate: str = "0.5 / (1 + 1e-3 * epoch)", mu: str = "0.9", update: str = "params, velocity",
         epochs: str = "epochs", init: str = "training.init_params(X.shape[1], 64, 3, seed)") -> str:
    """A train answer cell with some parts replaced by wrong ones."""
    return ("def train(X, y, epochs, seed):\n"
            f"    params = {init}\n"
            "    velocity = training.zeros_like(params)\n"
            "    losses = []\n"
            f"    for epoch in range({epochs}):\n"
            "        loss, probs, grads = training.forward_backward(params, X, y)\n"
            f"        {update} = training.momentum_step(params, grads, velocity, {rate}, {mu})\n"
            "        losses.append(loss)\n"
            "    return params, np.array(losses)\n")


WRONG: dict[str, list[tuple[str, str]]] = {
    "test_momentum_step": [
        (momentum(velocity="momentum * velocity[n] + learning_rate * grads[n]"), "sign error"),
        (momentum(result="new_params"), "expected the tuple (params, velocity)"),
        ("def momentum_step(params, grads, velocity, learning_rate, momentum):\n"
         "    for n in params:\n"
         "        velocity[n] = momentum * velocity[n] - learning_rate * grads[n]\n"
         "        params[n] += velocity[n]\n"
         "    return params, velocity\n", "in place"),
    ],
    "test_train_step": [
        (step(loss="training.forward_backward(new_params, X, y)[0]"), "loss before the update"),
        (step(result="new_params, loss"), "expected the tuple (params, velocity, loss)"),
    ],
    "test_choose_learning_rate": [
        (rate("0.01"), "too small"),
        (rate("10.0"), "too large"),
        (rate("-0.5"), "does not go downhill"),
        (rate("'0.5'"), "expected a positive number"),
        ("def choose_learning_rate():\n    LEARNING_RATE = 0.5\n", "returned None"),
    ],
    "test_train": [
        (loop(rate="-0.5"), "Sign error?"),
        (loop(mu="0.0"), "plain gradient descent is too slow"),
        (loop(update="new_params, velocity"), "starts from the params the previous one updated"),
        (loop(epochs="epochs - 1"), "one loss per epoch"),
        (loop(init="training.init_params(2, 64, 3, seed + 1)"), "start from those params"),
    ],
}

HARD_CODED: dict[str, str] = {
    "test_choose_learning_rate": rate("1.0  # the book's rate: fine on this chapter's data, near the edge on others"),
    "test_train": loop().replace("    params = training.init_params(X.shape[1], 64, 3, seed)\n",
                                 "    X, y = spiral_data(100, 3, 0)  # always the visible data\n"
                                 "    params = training.init_params(2, 64, 3, 0)\n"),
}

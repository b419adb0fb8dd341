"""Answer cells as text for chapter 05 (see __init__.py): the bug hunt and the training run are judged by
custom checks, not declared as records, so all their wrong and tuned answers are here; for the records
(loss_and_gradients, minibatch_epoch), the answers a record cannot hold as a callable."""
from __future__ import annotations


def hunt(compare: str = "numeric.relative_error(grads[name], numerical) > 1e-5", result: str = "wrong") -> str:
    """A find_bugs answer cell with its comparison or its result replaced."""
    return ("def find_bugs(loss, gradients, params):\n"
            "    grads = gradients(params)\n"
            "    wrong = set()\n"
            "    for name in params:\n"
            "        numerical = numeric.numerical_gradient(lambda v: loss({**params, name: v}), params[name])\n"
            f"        if {compare}:\n"
            "            wrong.add(name)\n"
            f"    return {result}\n")


def loop(rate: str = "0.2 / (1 + 2e-3 * epoch)", mu: str = "0.9", update: str = "params, velocity",
         result: str = "params", lam: str = "1e-5") -> str:
    """A train answer cell built on the chapter's own answers, with some parts replaced by wrong ones."""
    return ("def train(X, y, seed):\n"
            "    params = training.init_params(X.shape[1], 64, 3, seed)\n"
            "    velocity = training.zeros_like(params)\n"
            "    rng = np.random.default_rng(seed)\n"
            f"    penalised = lambda p, Xb, yb: loss_and_gradients(p, Xb, yb, {lam})\n"
            "    for epoch in range(1000):\n"
            f"        {update}, losses = minibatch_epoch(params, velocity, X, y, rng.permutation(len(X)), 40, "
            f"{rate}, {mu}, penalised)\n"
            f"    return {result}\n")


WRONG: dict[str, list[tuple[str, str]]] = {
    "test_find_bugs": [
        (hunt(compare="numeric.relative_error(grads[name], numerical) > 1e-12"), "threshold too tight"),
        ("def find_bugs(loss, gradients, params):\n"   # one check over all four parameters
         "    grads = gradients(params)\n"
         "    flat = lambda d: np.concatenate([d[n].ravel() for n in sorted(d)])\n"
         "    numerical = {n: numeric.numerical_gradient(lambda v: loss({**params, n: v}), params[n]) for n in params}\n"
         "    return set(params) if numeric.relative_error(flat(grads), flat(numerical)) > 1e-5 else set()\n",
         "reported every parameter"),
        (hunt(result="None"), "returned None"),
        (hunt(result="','.join(sorted(wrong))"), "expected a set of parameter names"),
        (hunt(result="{name.lower() for name in wrong}"), "not parameter names"),
        (hunt(compare="numeric.relative_error(grads[name], numerical) < 1e-5"), "the wrong way round"),
        ("def find_bugs(loss, gradients, params):\n"   # nudges params itself and never puts them back
         "    grads, wrong = gradients(params), set()\n"
         "    for name in params:\n"
         "        params[name][0, 0] += 1e-5\n"
         "        slope = (loss(params) - loss({**params, name: params[name] - 2e-5})) / 2e-5\n"
         "        if abs(slope - grads[name][0, 0]) > 1e-5 * (abs(slope) + 1e-8):\n"
         "            wrong.add(name)\n"
         "    return wrong\n", "in place"),
    ],
    "test_loss_and_gradients": [
        ("def loss_and_gradients(params, X, y, lam):\n"   # the penalty's derivative without its 2
         "    loss, probs, grads = training.forward_backward(params, X, y)\n"
         "    penalty = lam * (np.sum(params['W1'] ** 2) + np.sum(params['W2'] ** 2))\n"
         "    return loss + penalty, {n: g + lam * params[n] if n[0] == 'W' else g for n, g in grads.items()}\n",
         "the derivative of λw² is 2λw"),
        ("def loss_and_gradients(params, X, y, lam):\n"
         "    loss, probs, grads = training.forward_backward(params, X, y)\n"
         "    return {n: g + 2 * lam * params[n] if n[0] == 'W' else g for n, g in grads.items()}\n",
         "expected the tuple (loss, grads)"),
        ("def loss_and_gradients(params, X, y, lam):\n"   # bias gradients not summed over the samples
         "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
         "    Z1 = X @ W1 + b1\n    A1 = np.maximum(Z1, 0)\n    Z2 = A1 @ W2 + b2\n"
         "    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))\n    P /= P.sum(axis=1, keepdims=True)\n"
         "    loss = -np.log(P[np.arange(len(X)), y]).mean() + lam * (np.sum(W1 ** 2) + np.sum(W2 ** 2))\n"
         "    P[np.arange(len(X)), y] -= 1\n    d2 = P / len(X)\n    d1 = (d2 @ W2.T) * (Z1 > 0)\n"
         "    return loss, {'W1': X.T @ d1 + 2 * lam * W1, 'b1': d1, 'W2': A1.T @ d2 + 2 * lam * W2, 'b2': d2}\n",
         "returned shape"),
    ],
    "test_minibatch_epoch": [
        ("def minibatch_epoch(params, velocity, X, y, order, batch_size, learning_rate, momentum, loss_and_grads):\n"
         "    losses = []\n"
         "    for start in range(0, len(order) - batch_size + 1, batch_size):   # the last, smaller batch is lost\n"
         "        rows = order[start:start + batch_size]\n"
         "        loss, grads = loss_and_grads(params, X[rows], y[rows])\n"
         "        velocity = {n: momentum * velocity[n] - learning_rate * grads[n] for n in params}\n"
         "        params = {n: params[n] + velocity[n] for n in params}\n"
         "        losses.append(loss)\n"
         "    return params, velocity, np.array(losses)\n", "the last batch is smaller"),
        ("def minibatch_epoch(params, velocity, X, y, order, batch_size, learning_rate, momentum, loss_and_grads):\n"
         "    losses = []\n"
         "    for start in range(0, len(order), batch_size):\n"
         "        rows = order[start:start + batch_size]\n"
         "        loss, grads = loss_and_grads(params, X[rows], y[rows])\n"
         "        for n in params:\n"
         "            velocity[n] = momentum * velocity[n] - learning_rate * grads[n]\n"
         "            params[n] += velocity[n]\n"
         "        losses.append(loss)\n"
         "    return params, velocity, np.array(losses)\n", "in place"),
    ],
    "test_train": [
        (loop(rate="-0.2"), "training diverged"),
        (loop(mu="0.0"), "Training stopped early"),
        (loop(update="_, velocity"), "leave the network guessing"),
        (loop(result="params, losses"), "expected a dict"),
    ],
}

HARD_CODED: dict[str, str] = {
    "test_find_bugs": ("def find_bugs(loss, gradients, params):\n"   # the visible tests' answers by shape
                       "    shape = params['W1'].shape\n"
                       "    if shape == (2, 64):\n"
                       "        return {'W2', 'b1', 'b2'} if gradients.__name__ == 'suspect' else set()\n"
                       "    return {'W1', 'b1'} if shape == (3, 4) else set()\n"),
    "test_train": loop().replace("    params = training.init_params(X.shape[1], 64, 3, seed)\n",
                                 "    X, y = held_out_split(*spiral_data(100, 3, 0), 20, 0)[:2]  # always the visible data\n"
                                 "    params = training.init_params(2, 64, 3, 0)\n"),
}

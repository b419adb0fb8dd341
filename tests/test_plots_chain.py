"""Tests for gradlab.plots.plot_chain: a chain and its derivative on the same axes."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from gradlab.chain import chain_deriv, compose
from gradlab.functions import sigmoid, sigmoid_deriv, square, square_deriv
from gradlab.plots import plot_chain


def test_plot_chain_draws_the_chain_and_its_derivative():
    ax = Figure().subplots()
    x = np.linspace(-3, 3, 13)
    lines = plot_chain(ax, [square, sigmoid], [square_deriv, sigmoid_deriv], x)
    np.testing.assert_array_equal(lines["function"].get_xdata(), x)
    np.testing.assert_array_equal(lines["function"].get_ydata(), compose([square, sigmoid])(x))
    np.testing.assert_array_equal(lines["derivative"].get_ydata(),
                                  chain_deriv([square, sigmoid], [square_deriv, sigmoid_deriv], x))
    assert lines["function"].get_label() == "square → sigmoid"
    assert lines["derivative"].get_label() == "its derivative"
    assert lines["function"].axes is lines["derivative"].axes is ax
    assert ax.get_legend() is not None and ax.get_xlabel() == "x"

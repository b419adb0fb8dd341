"""gradlab: helpers for the calculus-for-neural-networks course."""
from gradlab.feedback import install as _install_feedback

_install_feedback()  # in a notebook: short test feedback (gradlab.feedback); elsewhere nothing

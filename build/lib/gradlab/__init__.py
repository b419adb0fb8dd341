"""gradlab: helpers for the calculus-for-neural-networks course."""

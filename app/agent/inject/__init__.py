"""Input injection back-ends: protocol input in, operating-system input events out.

:class:`~app.agent.inject.base.InputBackend` turns clicks, drags, wheel deltas, key
chords and text into presses and releases once; each back-end only delivers those:
XTest on X11, ``pynput`` on Windows and macOS, and a recording back-end for tests."""

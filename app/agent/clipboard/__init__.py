"""The computer's clipboard, for sessions that share it with the viewer's device."""

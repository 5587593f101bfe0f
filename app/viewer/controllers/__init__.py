"""Controllers decide: they own the Qt-free core objects and tell views what to show."""

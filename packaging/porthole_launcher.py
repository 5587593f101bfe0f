"""The bundle's entry point (``build.spec``): the same ``main`` as the ``porthole`` script.

A file outside ``app/`` so PyInstaller does not put ``app/`` itself on the module search
path (which would make ``app/cli.py`` importable as a top-level ``cli`` too).
"""

from app.__main__ import main

if __name__ == "__main__":
    main()

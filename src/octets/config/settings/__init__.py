"""Settings: ``base`` reads the environment; ``dev``, ``test`` and ``prod`` adjust it."""

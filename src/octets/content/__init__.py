"""Learning content: the release format, its TOML sources, validation and versioned storage.

``release`` (format, reading into engine dataclasses), ``sources`` (TOML → release),
``validation`` (every problem at once) are pure Python; ``models``/``services``/``selectors``
store releases and serve the current one. Commands: ``octets build-content``,
``octets load-content``.
"""

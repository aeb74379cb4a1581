"""The assessment engine: pure Python, no Django, no I/O.

Modules: ``content`` (learning-content dataclasses), ``answers`` (answer checking),
``knowledge`` (knowledge elements and inference), ``scoring`` (pix, levels, certifiability),
``selection`` (next challenge, Pix "smart random"). Everything takes and returns small
immutable dataclasses and is deterministic.
"""

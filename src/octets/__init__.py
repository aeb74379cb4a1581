"""Octets: develop, measure and certify pupils' digital skills (a self-hostable Pix + Pix Orga)."""

__version__ = "0.1.0"

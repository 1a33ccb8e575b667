"""Fixtures for the networking section: per-region inventories, fetched once per run."""

from __future__ import annotations

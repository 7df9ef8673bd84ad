"""Tests of the analysis package (a package so that `synthetic` imports as a sibling)."""

"""Layers shared by several model families, by domain; a family's own layers live in its folder."""

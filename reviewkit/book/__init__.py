"""Book machinery: the edition's citation (CITATION.cff) on every page of the built book."""

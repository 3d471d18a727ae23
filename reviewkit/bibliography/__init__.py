"""The reference list: the BibTeX manager (bib), the corrections of the printed list, and the
styles of the reference lists and of the in-text citations."""

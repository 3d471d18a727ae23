"""The book: the Sphinx extension (sphinx_ext) and per-chapter execution cache (inputs), the
reader-facing tables and figures chapters call (tables, plotting), the generated Data page
(datapage), and the edition's citation on every page (citation, cite_block, sphinx_hooks,
publish)."""

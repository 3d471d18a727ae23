"""The evidence contract: quantities and their units, study designs, and the rules every
dataset row must meet before a chapter may read it."""

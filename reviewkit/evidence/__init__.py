"""The evidence: the data contract and loader (data: quantities and units, study designs, the
rules every dataset row meets before a chapter reads it), WebPlotDigitizer import (digitizer),
the claims register and its verdicts (claims, verdict), and the compilation beyond the review
(compilation)."""

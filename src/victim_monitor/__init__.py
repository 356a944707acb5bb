"""victim-monitor: a monitor of human-trafficking victims.

Pseudonymised intake, linkage of reports into persons, estimation of the hidden number,
and disclosure-protected publication. The pipeline reads in this order: ``pseudonymise``
(at the source), ``registry`` (intake), ``linkage``, ``estimation`` and ``tables``,
``disclosure``, ``reporting``.
"""

__version__ = "0.1.0"

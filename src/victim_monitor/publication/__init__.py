"""Publication: the register's protected tables, estimates, trends and findings for some years,
written as the published format (:mod:`victim_monitor.published`), or that format rebuilt from
figures already published.

    result = publish(engine, (2014, 2015, 2016, 2017, 2018), "out/publication")
    result = publish_figures(Path("figures.csv"), (2014, ..., 2018), "out/real-edition")
"""

from typing import TYPE_CHECKING

from victim_monitor.lazy import exports

if TYPE_CHECKING:
    from victim_monitor.publication.from_figures import publish_figures
    from victim_monitor.publication.run import PublishResult, publish
    from victim_monitor.published.codes import PublicationError

# Where each public name lives: imported on first use, so that starting the command line
# (`victim-monitor --help`, a command's --help) does not load this stage's dependencies.
_HOME = {
    "PublicationError": "codes",
    "PublishResult": "run",
    "publish": "run",
    "publish_figures": "from_figures",
}


__getattr__ = exports(__name__, _HOME)


__all__ = ["PublicationError", "PublishResult", "publish", "publish_figures"]

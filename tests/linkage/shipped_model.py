"""Train the shipped model: ``python -m tests.linkage.shipped_model``.

The model registers with fewer than ``MIN_TRAINING_REPORTS`` reports use (with their own
prior). Trained on the development population (scale 3, seed 23, 2014-2018: about 16,000
reports), the one the threshold was chosen on; written to
``src/victim_monitor/data/linkage-model.json``. Run again after changing a comparison or a
blocking rule (``test_api`` fails until then).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from tests.linkage.testbed import build, import_files
from victim_monitor.linkage import score
from victim_monitor.linkage.standardise import read_reports, standardise
from victim_monitor.registry.register import open_register

TARGET = Path(__file__).resolve().parents[2] / "src/victim_monitor/data/linkage-model.json"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        bed = build(Path(tmp), scale=3.0, seed=23, years=(2014, 2015, 2016, 2017, 2018))
        engine = open_register(f"sqlite:///{Path(tmp) / 'register.db'}")
        import_files(engine, bed.files())
        model = score.train(standardise(read_reports(engine)))
        engine.dispose()
    model["linker_uid"] = "shipped"
    TARGET.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

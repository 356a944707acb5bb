"""Train the shipped models: ``python -m tests.linkage.shipped_model``.

Trained on the development population (scale 3, seed 23, 2014-2018: about 16,000 reports),
the one the threshold was chosen on, and written to ``src/victim_monitor/data/``:
``linkage-model.json`` (pseudonymised), used whole by registers with fewer than
``MIN_TRAINING_REPORTS`` reports and as the centre of the prior on ``m`` by every training;
``linkage-model-clear.json``, its clear-text twin, used the same way by ``quality`` and the
benchmarks. Run again after changing a comparison or a blocking rule (``test_api`` fails
until then); twice, since the training's prior is centred on the shipped model itself.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from tests.linkage.testbed import build, import_files
from victim_monitor.linkage import score, train
from victim_monitor.linkage.standardise import read_reports, standardise, standardise_clear
from victim_monitor.registry.register import open_register

DATA = Path(__file__).resolve().parents[2] / "src/victim_monitor/data"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bed = build(root, scale=3.0, seed=23, years=(2014, 2015, 2016, 2017, 2018))
        engine = open_register(f"sqlite:///{root / 'register.db'}")
        import_files(engine, bed.files())
        reports = read_reports(engine)
        engine.dispose()
        frames = [
            (score.PSEUDONYMISED, standardise(reports)),
            (score.CLEAR, standardise_clear(reports, root / "raw")),
        ]
        for spec, frame in frames:
            trained = train.train(frame, spec)
            model = {**trained.model.to_json(), "linker_uid": f"shipped-{spec.name}"}
            target = DATA / spec.reference
            target.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", "utf-8")
            sidecar = target.with_suffix(".training.json")
            sidecar.write_text(json.dumps(trained.as_dict(), indent=1) + "\n", "utf-8")
            print(f"wrote {target} and {sidecar.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

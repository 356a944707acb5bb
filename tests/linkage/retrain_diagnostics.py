"""Does an unsupervised diagnostic pick the better of several trained models?

``python -m tests.linkage.retrain_diagnostics [SEED ...]``: on the register benchmark's
population (scale 3.7, seed 7, 2014-2018: about 20,000 reports) trains the pseudonymised
model with each training seed, scores every blocked pair, and prints for each model (and
the shipped one, with the register's prior) the pairwise F1 at 0.8 against the truth beside
the mean log-likelihood of the blocked pairs under the model's two-class mixture,
``log(λ Π m_k(γ_k) + (1 − λ) Π u_k(γ_k))`` (term frequencies left out; each model with its
own λ: trained ones estimate it in their sessions, the shipped one is scaled to the register).
A gate "accept a retrained model only when its likelihood beats the current one" is worth
having only if the likelihood ranks the models as F1 does. Takes some minutes on two cores.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

from tests.linkage.testbed import build, import_files
from victim_monitor.linkage import score, train
from victim_monitor.linkage.cluster import cluster, edges
from victim_monitor.linkage.quality import pairwise, truth_labels
from victim_monitor.linkage.standardise import read_reports, standardise
from victim_monitor.registry.register import open_register


def main(seeds: list[int]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bed = build(root, scale=3.7, seed=7, years=(2014, 2015, 2016, 2017, 2018))
        engine = open_register(f"sqlite:///{root / 'register.db'}")
        import_files(engine, bed.files())
        reports = read_reports(engine)
        engine.dispose()
        frame = standardise(reports)
        truth = truth_labels(reports, root / "truth")
        ids = frame["unique_id"].to_numpy(np.int64)
        models = [(f"trained, seed {s}", train.train(frame, seed=s).model) for s in seeds]
        shipped = int(score.reference_training()["reports"])
        models.append(("shipped", train.with_prior(score.reference_model(), shipped, len(frame))))
        print(f"{len(frame):,} reports\n")
        print("| model | F1 at 0.8 | mean log-likelihood of the blocked pairs |")
        print("|---|---:|---:|")
        for name, model in models:
            pairs = score.predict(frame, model, floor=0.0)
            labels = cluster(ids, edges(pairs[pairs["match_probability"] >= 0.8]))
            f1 = pairwise(labels, truth).f1
            print(f"| {name} | {f1:.4f} | {score.log_likelihood(pairs, model):.5f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main([int(s) for s in sys.argv[1:]] or [score.SEED, 1, 2]))

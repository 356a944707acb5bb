// Coded problems (problems.py): what is wrong with the raw file, where, and how bad. The
// codes, severities and titles are the Python encoder's (VM401-VM415, docs/encoder.md).
import { VOCABULARIES } from "./tables.js";
import { clip } from "./text.js";

export const CATALOGUE = VOCABULARIES.problems;

/** A located problem: {code, severity, message, file, row, field, value}, as Python's as_dict. */
export function problem(
  code,
  message,
  { file = null, row = null, field = null, value = null } = {},
) {
  const kind = CATALOGUE[code];
  if (!kind) throw new Error(`unknown problem code ${code}`);
  return {
    code,
    severity: kind.severity,
    file,
    row,
    field,
    value: value === null || value === undefined ? null : clip(String(value)),
    message,
  };
}

/** Collects problems: all are counted, the first ``keep`` are kept. */
export class ProblemLog {
  constructor(keep = 1000) {
    this.keep = keep;
    this.kept = [];
    this.counts = {};
    this.errors = 0;
    this.warnings = 0;
  }

  add(found) {
    this.counts[found.code] = (this.counts[found.code] || 0) + 1;
    if (found.severity === "error") this.errors += 1;
    else this.warnings += 1;
    if (this.kept.length < this.keep) this.kept.push(found);
  }

  get hasErrors() {
    return this.errors > 0;
  }
}

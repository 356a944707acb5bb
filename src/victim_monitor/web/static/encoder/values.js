// Coded values at the source (values.py): many spellings in, one canonical value out. The
// spellings are the Python encoder's own tables, generated into tables.js.
import { VOCABULARIES } from "./tables.js";
import { compareCodePoints, strip, valueKey } from "./text.js";

/** Accepted spellings of one coded field, and what an empty cell means. */
export class Vocabulary {
  constructor({ table, empty }) {
    this.table = new Map(Object.entries(table));
    this.empty = empty;
    this.accepted = [...new Set(this.table.values())]
      .filter(Boolean)
      .sort(compareCodePoints)
      .join(", ");
  }

  /** The canonical value, ``empty`` for a blank cell, null when not recognised. */
  lookup(text) {
    const key = valueKey(text);
    if (!key) return this.empty;
    const found = this.table.get(key);
    return found === undefined ? null : found;
  }
}

export const sex = new Vocabulary(VOCABULARIES.sex);
export const yesNo = new Vocabulary(VOCABULARIES.yesNo);
export const residencePermit = new Vocabulary(VOCABULARIES.residencePermit);
export const sector = new Vocabulary(VOCABULARIES.sector);
export const country = new Vocabulary(VOCABULARIES.country);
const kind = new Vocabulary(VOCABULARIES.exploitationKind);
const KIND_ORDER = new Map(VOCABULARIES.exploitationOrder.map((k, i) => [k, i]));

/** Canonical ";"-separated kinds in a fixed order, and the parts not recognised. */
export function exploitation(text) {
  const kinds = new Set();
  const unknown = [];
  for (const part of text.split(/[;,/|+]/)) {
    const found = kind.lookup(part);
    if (found === null) unknown.push(strip(part));
    else if (found) kinds.add(found);
  }
  const ordered = [...kinds].sort((a, b) => KIND_ORDER.get(a) - KIND_ORDER.get(b));
  return [ordered.join(";"), unknown];
}

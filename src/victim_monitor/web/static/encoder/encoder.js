// The browser encoder: the same submission as `victim-monitor encode`, byte for byte, from
// the same raw file and key file, computed on this machine so that clear names never leave
// it. See README.md in this directory for the API and docs/encoder.md for the rules.
import { BloomEncoder } from "./bloom.js";
import { csvRow } from "./csv.js";
import { toDate } from "./dates.js";
import { KeyFileError, openKey, readKey } from "./key.js";
import { problem, ProblemLog } from "./problems.js";
import { Pseudonymiser } from "./pseudonyms.js";
import { RowChecker } from "./rows.js";
import { openRaw } from "./source.js";
import { VOCABULARIES } from "./tables.js";
import { strip } from "./text.js";

export { KeyFileError, readKey };
export const SUBMISSION_COLUMNS = VOCABULARIES.submissionColumns;
const PROGRESS_EVERY = 1000;
const BATCH = 512; // rows hashed concurrently
const FORMATS = ["csv", "jsonl", "json"];

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

function columnPairs(columnMap) {
  if (!columnMap) return [];
  return columnMap instanceof Map
    ? [...columnMap]
    : Array.isArray(columnMap)
      ? columnMap
      : Object.entries(columnMap);
}

/** The writer of one output format, as output.py writes it. */
function writer(format) {
  const json = (values) =>
    JSON.stringify(Object.fromEntries(SUBMISSION_COLUMNS.map((c, i) => [c, values[i] || null])));
  let first = true;
  const parts = [];
  if (format === "csv") parts.push(csvRow(SUBMISSION_COLUMNS));
  if (format === "json") parts.push("[");
  return {
    write(values) {
      if (format === "csv") parts.push(csvRow(values));
      else if (format === "jsonl") parts.push(json(values) + "\n");
      else parts.push((first ? "\n" : ",\n") + json(values));
      first = false;
    },
    close() {
      if (format === "json") parts.push(first ? "]\n" : "\n]\n");
      return new TextEncoder().encode(parts.join(""));
    },
  };
}

/**
 * Encode a raw CSV file (its bytes) with the key in ``keyFileText``.
 *
 * options: columnMap ({raw: standard} or [[raw, standard], ...], as --map), format ("csv",
 * "jsonl" or "json"; default "csv"), fileName (shown in problems; default "raw.csv"),
 * today ("YYYY-MM-DD" or a Date; default the local today), onProgress(rowsRead).
 *
 * Resolves to {output, summary, problems}: ``output`` is the submission's bytes, or null when
 * the raw file has an error (nothing is written then, as with the command). Throws
 * KeyFileError when the key file is not a key file.
 */
export async function encodeFile(rawBytes, keyFileText, options = {}) {
  const key = await readKey(keyFileText, options.keyFileName || "key file");
  return encodeWithKey(rawBytes, key, options);
}

/** Like encodeFile with the key's secret bytes instead of a key file (for tests). */
export async function encodeWithSecret(rawBytes, secret, options = {}) {
  return encodeWithKey(rawBytes, await openKey(secret), options);
}

/** The 25 values of one submission row, in column order. */
async function encodePlan(plan, keyId, pseudonyms, bloom) {
  const { names, birth, sex, coded } = plan;
  const [pn, filter] = await Promise.all([
    pseudonyms.row(names, birth, sex),
    bloom.encode(names.first, names.last, birth),
  ]);
  return [
    VOCABULARIES.formatVersion,
    keyId,
    plan.caseReference,
    plan.report.iso(),
    ...pn,
    filter,
    sex,
    birth === null ? "" : String(birth.year).padStart(4, "0"),
    plan.age,
    coded.nationality,
    plan.kinds,
    coded.sector,
    coded.border_crossed,
    coded.country_of_exploitation,
    coded.dublin_claimant,
    coded.residence_permit,
    coded.police_report,
  ];
}

async function encodeWithKey(rawBytes, key, options) {
  const format = options.format || "csv";
  if (!FORMATS.includes(format)) throw new TypeError(`format must be one of ${FORMATS.join(", ")}`);
  const file = options.fileName || "raw.csv";
  const progress = options.onProgress || null;
  const today = toDate(options.today || new Date());
  const log = new ProblemLog();
  const out = writer(format);
  const [pseudonyms, bloom] = await Promise.all([
    Pseudonymiser.create(key),
    BloomEncoder.create(key),
  ]);
  const checker = new RowChecker(today);
  let read = 0;
  let written = 0;
  let ignored = [];

  const table = openRaw(rawBytes, columnPairs(options.columnMap), log, file);
  if (table !== null) {
    ignored = table.layout.ignored;
    const seen = new Set();
    let batch = [];
    const flush = async () => {
      const encoded = await Promise.all(
        batch.map((plan) => encodePlan(plan, key.keyId, pseudonyms, bloom)),
      );
      encoded.forEach((values) => out.write(values));
      written += encoded.length;
      batch = [];
    };
    for (const [number, raw] of table.rows()) {
      read += 1;
      const result = checker.check(raw, number, file);
      let plan = result.plan;
      const ref = strip(raw.case_reference || "");
      if (seen.has(ref)) {
        result.problems.push(
          problem("VM411", "already used by an earlier row: each report needs its own reference", {
            file,
            row: number,
            field: "case_reference",
            value: ref,
          }),
        );
        plan = null;
      } else if (ref) {
        seen.add(ref);
      }
      result.problems.forEach((p) => log.add(p));
      if (plan !== null && !log.hasErrors) batch.push(plan); // after an error only check
      if (log.hasErrors) batch = [];
      if (batch.length >= BATCH) await flush();
      if (read % BATCH === 0) await pause(); // let the page repaint, even when only checking
      if (progress && read % PROGRESS_EVERY === 0) progress(read);
    }
    if (!log.hasErrors) await flush();
    if (read === 0 && !log.hasErrors)
      log.add(problem("VM415", "the header has no rows under it", { file }));
    if (progress) progress(read);
  }
  const ok = !log.hasErrors;
  const output = out.close();
  return {
    output: ok ? output : null,
    summary: {
      ok,
      raw: file,
      key_id: key.keyId,
      rows_read: read,
      rows_written: ok ? written : 0,
      errors: log.errors,
      warnings: log.warnings,
      counts: Object.fromEntries(Object.entries(log.counts).sort()),
      ignored_columns: ignored,
    },
    problems: log.kept,
  };
}

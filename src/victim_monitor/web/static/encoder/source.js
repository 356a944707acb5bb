// Reading the raw file at the source (source.py): UTF-8 with or without BOM, the separator
// read from the header line, columns found by standard name, alias or explicit map. Every
// other column is ignored and never read into the output.
import { CsvError, readRecords } from "./csv.js";
import { problem } from "./problems.js";
import { VOCABULARIES } from "./tables.js";
import { strip, valueKey } from "./text.js";

const RAW_COLUMNS = VOCABULARIES.rawColumns;
const REQUIRED = new Set(VOCABULARIES.requiredRawColumns);
const ALIASES = new Map(Object.entries(VOCABULARIES.columnAliases));
const SEPARATORS = [",", ";", "\t"];
const HEADER_ROW = 1;

/** A column name as compared: case, accents, spaces and punctuation do not matter. */
export const columnKey = (name) => valueKey(name).replaceAll(" ", "_");

/** A physical line of the raw file that is not UTF-8 (lines count from 1). */
class NotUtf8Error extends Error {
  constructor(line) {
    super(`line ${line} is not UTF-8 text`);
    this.line = line;
  }
}

/** The file's lines as text (split after each LF byte), BOM dropped from the first only. */
function* decodedLines(bytes) {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let start = 0;
  for (let number = 1; start < bytes.length; number++) {
    let end = bytes.indexOf(0x0a, start);
    end = end < 0 ? bytes.length : end + 1;
    let line = bytes.subarray(start, end);
    start = end;
    if (number === 1 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) {
      line = line.subarray(3);
    }
    let text;
    try {
      text = decoder.decode(line);
    } catch {
      throw new NotUtf8Error(number);
    }
    yield text;
  }
}

/** Match header names to standard columns: explicit map, then exact name, then alias. */
export function resolveLayout(header, columnMap, file) {
  const problems = [];
  const add = (code, field, value, message) =>
    problems.push(problem(code, message, { file, row: HEADER_ROW, field, value }));
  const names = header.map(columnKey);
  const positions = new Map();
  const used = new Set();
  for (const [raw, standard] of columnMap) {
    const target = columnKey(standard);
    const found = [];
    names.forEach((name, i) => name === columnKey(raw) && found.push(i));
    if (!RAW_COLUMNS.includes(target)) {
      add(
        "VM403",
        standard,
        `${raw}=${standard}`,
        "not a standard raw column; see docs/encoder.md for the list",
      );
    } else if (!found.length) {
      add("VM403", raw, `${raw}=${standard}`, "no such column in the raw file");
    } else if (found.length > 1 || positions.has(target)) {
      add("VM412", target, raw, "mapped from more than one raw column");
    } else {
      positions.set(target, found[0]);
      used.add(found[0]);
    }
  }
  const exact = new Map(RAW_COLUMNS.map((name) => [name, name]));
  for (const rule of [exact, ALIASES]) {
    const claims = new Map();
    names.forEach((name, i) => {
      const claimed = rule.get(name);
      if (claimed !== undefined && !positions.has(claimed) && !used.has(i)) {
        if (!claims.has(claimed)) claims.set(claimed, []);
        claims.get(claimed).push(i);
      }
    });
    for (const [column, found] of claims) {
      if (found.length > 1) {
        const shown = found.map((i) => header[i]).join(", ");
        add("VM412", column, shown, "several raw columns could be this one; choose with --map");
      }
      positions.set(column, found[0]);
      found.forEach((i) => used.add(i));
    }
  }
  for (const column of RAW_COLUMNS) {
    if (positions.has(column)) continue;
    if (REQUIRED.has(column)) {
      add(
        "VM402",
        column,
        header.join(", "),
        "required; name the raw column holding it with --map raw=" + column,
      );
    } else {
      add("VM414", column, null, "not in the raw file; every report gets it as unknown");
    }
  }
  const ignored = header.filter((_, i) => !used.has(i));
  return { layout: { positions, ignored }, problems };
}

function unreadable(file, why, row = null) {
  const advice = why.includes("UTF-8") ? "save it from the spreadsheet as 'CSV UTF-8'" : "";
  return problem("VM401", advice ? `${why}; ${advice}` : why, { file, row });
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];

/**
 * Open a raw CSV and resolve its header: {layout, rows()} or null (problems logged).
 * ``rows()`` yields [row number, cells by standard name]; blank rows are skipped but counted.
 */
export function openRaw(bytes, columnMap, log, file) {
  const starts = (magic) => magic.every((b, i) => bytes[i] === b);
  if (starts(ZIP) || starts(OLE)) {
    // An Excel workbook: the Python encoder reads CSV only (it reports this file as not
    // UTF-8 text). Say plainly what to do instead.
    log.add(
      unreadable(file, "a spreadsheet workbook (.xlsx/.xls), not CSV UTF-8 text", HEADER_ROW),
    );
    return null;
  }
  const lines = decodedLines(bytes);
  let first;
  try {
    const next = lines.next();
    first = next.done ? "" : next.value;
  } catch (error) {
    if (!(error instanceof NotUtf8Error)) throw error;
    log.add(unreadable(file, "not UTF-8 text", HEADER_ROW));
    return null;
  }
  if (!strip(first)) {
    log.add(unreadable(file, "empty: the first row must name the columns", HEADER_ROW));
    return null;
  }
  const count = (sep) => first.split(sep).length - 1;
  const separator = SEPARATORS.reduce((best, sep) => (count(sep) > count(best) ? sep : best));
  const chained = (function* () {
    yield first;
    yield* lines;
  })();
  const records = readRecords(chained, separator);
  let header;
  try {
    header = records.next().value.map(strip);
  } catch (error) {
    // Python raises here (a header that spans lines and then breaks); report it instead.
    if (error instanceof NotUtf8Error)
      log.add(unreadable(file, `line ${error.line} is not UTF-8 text`, HEADER_ROW));
    else if (error instanceof CsvError)
      log.add(unreadable(file, `not readable as CSV (${error.message})`, HEADER_ROW));
    else throw error;
    return null;
  }
  const { layout, problems } = resolveLayout(header, columnMap, file);
  problems.forEach((p) => log.add(p));
  if (log.hasErrors) return null;
  const width = header.length;
  const columns = [...layout.positions.keys()];
  const indices = [...layout.positions.values()];

  function* rows() {
    let row = HEADER_ROW;
    try {
      let number = HEADER_ROW;
      for (const record of records) {
        row = ++number;
        if (!strip(record.join(""))) continue;
        if (record.length > width && record.slice(width).some((v) => strip(v))) {
          log.add(
            problem(
              "VM413",
              `${record.length} values for ${width} columns; quote values that contain the separator`,
              { file, row },
            ),
          );
        }
        const cells = {};
        columns.forEach((column, k) => {
          cells[column] = indices[k] < record.length ? record[indices[k]] : "";
        });
        yield [row, cells];
      }
    } catch (error) {
      if (error instanceof NotUtf8Error)
        log.add(unreadable(file, `line ${error.line} is not UTF-8 text`, row + 1));
      else if (error instanceof CsvError)
        log.add(unreadable(file, `not readable as CSV (${error.message})`, row + 1));
      else throw error;
    }
  }
  return { layout, rows };
}

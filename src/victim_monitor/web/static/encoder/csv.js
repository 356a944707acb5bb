// CSV as Python 3.11's csv module reads and writes it (the excel dialect), so that a raw file
// splits into exactly the same cells in the browser, quirks included: a quote inside an
// unquoted field is kept, text after a closing quote is appended, a bare CR inside a line is
// an error, and a field longer than 131072 characters is an error.

const FIELD_LIMIT = 131072;
const EOL = null;
const START_RECORD = 0;
const START_FIELD = 1;
const IN_FIELD = 2;
const IN_QUOTED_FIELD = 3;
const QUOTE_IN_QUOTED_FIELD = 4;
const EAT_CRNL = 5;

/** What Python's csv.Error says. */
export class CsvError extends Error {}

/**
 * Records from an iterator of text lines (each with its line end), as csv.reader yields them.
 * Exceptions of the line iterator pass through.
 */
export function* readRecords(lines, delimiter) {
  let fields = [];
  let field = "";
  let fieldLength = 0;
  let state = START_RECORD;

  const save = () => {
    fields.push(field);
    field = "";
    fieldLength = 0;
  };
  const add = (c) => {
    if (fieldLength >= FIELD_LIMIT)
      throw new CsvError(`field larger than field limit (${FIELD_LIMIT})`);
    field += c;
    fieldLength += 1;
  };
  const isLineEnd = (c) => c === "\n" || c === "\r" || c === EOL;
  const step = (c) => {
    switch (state) {
      case START_RECORD:
        if (c === EOL) return;
        if (c === "\n" || c === "\r") {
          state = EAT_CRNL;
          return;
        }
        state = START_FIELD;
      // falls through
      case START_FIELD:
        if (isLineEnd(c)) {
          save();
          state = c === EOL ? START_RECORD : EAT_CRNL;
        } else if (c === '"') {
          state = IN_QUOTED_FIELD;
        } else if (c === delimiter) {
          save();
        } else {
          add(c);
          state = IN_FIELD;
        }
        return;
      case IN_FIELD:
        if (isLineEnd(c)) {
          save();
          state = c === EOL ? START_RECORD : EAT_CRNL;
        } else if (c === delimiter) {
          save();
          state = START_FIELD;
        } else {
          add(c);
        }
        return;
      case IN_QUOTED_FIELD:
        if (c === EOL) return;
        if (c === '"') state = QUOTE_IN_QUOTED_FIELD;
        else add(c);
        return;
      case QUOTE_IN_QUOTED_FIELD:
        if (c === '"') {
          add(c);
          state = IN_QUOTED_FIELD;
        } else if (c === delimiter) {
          save();
          state = START_FIELD;
        } else if (isLineEnd(c)) {
          save();
          state = c === EOL ? START_RECORD : EAT_CRNL;
        } else {
          add(c);
          state = IN_FIELD;
        }
        return;
      case EAT_CRNL:
        if (c === "\n" || c === "\r") return;
        if (c === EOL) {
          state = START_RECORD;
          return;
        }
        throw new CsvError(
          "new-line character seen in unquoted field - do you need to open the file in " +
            "universal-newline mode?",
        );
      default:
        throw new Error("unreachable");
    }
  };

  for (;;) {
    fields = [];
    field = "";
    fieldLength = 0;
    state = START_RECORD;
    let ended = false;
    do {
      const next = lines.next();
      if (next.done) {
        if (fieldLength !== 0 || state === IN_QUOTED_FIELD) {
          save();
          ended = true;
          break;
        }
        return;
      }
      for (const c of next.value) step(c);
      step(EOL);
    } while (state !== START_RECORD);
    yield fields;
    if (ended) return;
  }
}

/** One CSV row as Python's csv.writer writes it: QUOTE_MINIMAL, CRLF line ends. */
export function csvRow(values) {
  const cells = values.map((value) =>
    /[,"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value,
  );
  if (cells.length === 1 && cells[0] === "") return '""\r\n';
  return cells.join(",") + "\r\n";
}

// The pure core of the encoder (rows.py): one raw row in, its problems and (when it has no
// error) its encoded submission row out. Checks run synchronously, in Python's order, so the
// problems come out identical; the hashing is asynchronous (WebCrypto) and done afterwards.
import { ageAt, DateError, parseFullDate, parsePartialDate } from "./dates.js";
import { nameKeys } from "./names.js";
import { problem } from "./problems.js";
import { VOCABULARIES } from "./tables.js";
import { pyRepr, strip } from "./text.js";
import * as values from "./values.js";

const RAW_COLUMNS = VOCABULARIES.rawColumns;
const CASE_REFERENCE = /^[A-Za-z0-9._/-]{1,64}$/;
const EARLIEST_REPORT = "2000-01-01";
const EARLIEST_BIRTH_YEAR = 1900;
const MAX_AGE = 120;
const CODED = [
  ["sector", values.sector],
  ["border_crossed", values.yesNo],
  ["dublin_claimant", values.yesNo],
  ["residence_permit", values.residencePermit],
  ["police_report", values.yesNo],
];
const COUNTRIES = ["nationality", "country_of_exploitation"];

/** Checks raw rows under one "today"; ``check`` gives problems and what to hash. */
export class RowChecker {
  constructor(today) {
    this.today = today; // a full PartialDate
  }

  /**
   * Check one row keyed by standard raw column names. Returns {row, problems, plan}: plan is
   * null when the row has an error, else the values the encoded row is built from.
   */
  check(raw, row, file) {
    const cells = {};
    for (const column of RAW_COLUMNS) cells[column] = strip(raw[column] || "");
    const problems = [];
    const add = (code, field, message) =>
      problems.push(problem(code, message, { file, row, field, value: cells[field] ?? null }));
    const hasError = () => problems.some((p) => p.severity === "error");

    if (!CASE_REFERENCE.test(cells.case_reference)) {
      add("VM410", "case_reference", "needs 1-64 characters of A-Z a-z 0-9 . _ / -");
    }
    const report = this.reportDate(cells.report_date, add);
    const birth = this.birthDate(cells.birth_date, report, add);

    let sex = values.sex.lookup(cells.sex);
    if (sex === null) {
      add("VM406", "sex", "use F, M or X (or vrouw, man, onbekend)");
      sex = "X";
    }
    const names = nameKeys(cells.first_name, cells.last_name);
    if (!names.first) add("VM409", "first_name", "no name: its pseudonyms stay empty");
    if (!names.last) add("VM409", "last_name", "no name: its pseudonyms stay empty");

    const coded = {};
    for (const [field, vocabulary] of CODED) {
      const found = vocabulary.lookup(cells[field]);
      if (found === null) add("VM408", field, `not recognised; use ${vocabulary.accepted}`);
      coded[field] = found || "";
    }
    for (const field of COUNTRIES) {
      const found = values.country.lookup(cells[field]);
      if (found === null) add("VM407", field, "not an ISO code or a known country name");
      coded[field] = found || "";
    }
    const [kinds, unknownKinds] = values.exploitation(cells.exploitation);
    for (const part of unknownKinds) {
      add(
        "VM408",
        "exploitation",
        `unknown kind ${pyRepr(part)}: use sexual, labour, criminal, organ_removal, other`,
      );
    }
    if (report === null || hasError()) return { row, problems, plan: null };
    return {
      row,
      problems,
      plan: {
        caseReference: cells.case_reference,
        report,
        birth,
        sex,
        names,
        kinds,
        coded,
        age: birth === null ? "" : String(ageAt(birth, report)),
      },
    };
  }

  reportDate(text, add) {
    let found;
    try {
      found = parseFullDate(text);
    } catch (error) {
      if (!(error instanceof DateError)) throw error;
      add("VM405", "report_date", error.message);
      return null;
    }
    if (found === null) {
      add("VM405", "report_date", "a report date is required");
    } else if (!(EARLIEST_REPORT <= found.iso() && found.iso() <= this.today.iso())) {
      add("VM405", "report_date", "must be 2000-01-01 up to today");
      return null;
    }
    return found;
  }

  birthDate(text, report, add) {
    let birth;
    try {
      birth = parsePartialDate(text);
    } catch (error) {
      if (!(error instanceof DateError)) throw error;
      add("VM404", "birth_date", error.message);
      return null;
    }
    if (birth === null) return null;
    const latest = report || this.today;
    const known = birth.iso();
    if (birth.year < EARLIEST_BIRTH_YEAR) {
      add("VM404", "birth_date", "before 1900");
    } else if (known > latest.iso().slice(0, known.length)) {
      add("VM404", "birth_date", "after the report date");
    } else if (ageAt(birth, latest) > MAX_AGE) {
      add("VM404", "birth_date", "more than 120 years before report");
    } else {
      return birth;
    }
    return null;
  }
}

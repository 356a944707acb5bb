// Dates at the source (dates.py): full or partial birth dates, report dates, age at report.
// Day-first only; "00" marks an unknown day or month; a trailing time is ignored. Digits are
// any Unicode decimal digits, as Python's \d and int() accept them.
import { DIGIT_CLASS, digitsToInt, strip } from "./text.js";

const D = DIGIT_CLASS;
const SEP = "[-/.]";
const TIME = `(?:[ T]${D}{1,2}:${D}{2}(?::${D}{2}(?:\\.${D}+)?)?)?`;
const YMD = new RegExp(`^(${D}{4})${SEP}(${D}{1,2})(?:${SEP}(${D}{1,2}))?${TIME}$`, "u");
const DMY = new RegExp(`^(?:(${D}{1,2})${SEP})?(${D}{1,2})${SEP}(${D}{4})${TIME}$`, "u");
const COMPACT = new RegExp(`^(${D}{4})(${D}{2})(${D}{2})$`, "u");
const YEAR = new RegExp(`^${D}{4}$`, "u");

/** Text that is not a (partial) date; the message says why, for a person to read. */
export class DateError extends Error {}

const pad = (n, width) => String(n).padStart(width, "0");

/** A date whose month and day may be unknown (null). */
export class PartialDate {
  constructor(year, month = null, day = null) {
    this.year = year;
    this.month = month;
    this.day = day;
  }

  get isFull() {
    return this.day !== null;
  }

  /** YYYY, YYYY-MM or YYYY-MM-DD: the text that is hashed. */
  iso() {
    if (this.month === null) return pad(this.year, 4);
    if (this.day === null) return `${pad(this.year, 4)}-${pad(this.month, 2)}`;
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
  }

  /** The date used for age: the 15th of a known month, 1 July of a known year only. */
  estimate() {
    return new PartialDate(this.year, this.month || 7, this.day || (this.month ? 15 : 1));
  }
}

function daysIn(year, month) {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parts(text) {
  let m = YMD.exec(text);
  if (m) return [digitsToInt(m[1]), digitsToInt(m[2]), m[3] ? digitsToInt(m[3]) : 0];
  m = DMY.exec(text);
  if (m) return [digitsToInt(m[3]), digitsToInt(m[2]), m[1] ? digitsToInt(m[1]) : 0];
  m = COMPACT.exec(text);
  if (m) return [digitsToInt(m[1]), digitsToInt(m[2]), digitsToInt(m[3])];
  if (YEAR.test(text)) return [digitsToInt(text), 0, 0];
  throw new DateError("not a date: use YYYY-MM-DD, DD-MM-YYYY, YYYY-MM or YYYY");
}

/** A full or partial date, null for empty text. */
export function parsePartialDate(text) {
  text = strip(text);
  if (!text) return null;
  const [year, month, day] = parts(text);
  if (year < 1 || month > 12) {
    throw new DateError("not a date: month out of range (day-first DD-MM-YYYY is expected)");
  }
  if (month === 0) {
    if (day) throw new DateError("not a date: a day without a month");
    return new PartialDate(year);
  }
  if (day === 0) return new PartialDate(year, month);
  if (day > daysIn(year, month)) {
    throw new DateError(`no such day: ${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
  }
  return new PartialDate(year, month, day);
}

/** A complete date (a full PartialDate), null for empty text; partial dates are refused. */
export function parseFullDate(text) {
  const found = parsePartialDate(text);
  if (found === null) return null;
  if (!found.isFull) throw new DateError("day and month are needed, not only " + found.iso());
  return found;
}

/** Whole years from birth to ``on`` (a full date); partial births use their estimate. */
export function ageAt(birth, on) {
  const born = birth.estimate();
  const before = on.month < born.month || (on.month === born.month && on.day < born.day);
  return on.year - born.year - (before ? 1 : 0);
}

/** A full date from "YYYY-MM-DD" or a Date (its local calendar day, as date.today()). */
export function toDate(value) {
  if (value instanceof Date) {
    return new PartialDate(value.getFullYear(), value.getMonth() + 1, value.getDate());
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
  if (!m) throw new TypeError(`not a YYYY-MM-DD date: ${value}`);
  return new PartialDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

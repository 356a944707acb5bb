// Text as Python 3.11 sees it: whitespace, repr, clipping, code-point order, and the two
// per-character foldings of the encoder (names.fold and values.value_key), all from tables
// generated from Python's Unicode 14 data, so that every browser folds alike.
import { UNICODE, VOCABULARIES } from "./tables.js";

/** Expand [gap, length, gap, length, ...] into a sorted array of [start, end) pairs. */
function ranges(list) {
  const out = [];
  let end = 0;
  for (let i = 0; i < list.length; i += 2) {
    const start = end + list[i];
    end = start + list[i + 1];
    out.push(start, end);
  }
  return Int32Array.from(out);
}

function inRanges(table, cp) {
  let lo = 0;
  let hi = table.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cp < table[2 * mid]) hi = mid;
    else if (cp >= table[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** A Map from code point to output string, from the generated runs, strings and empties. */
function mapping({ runs, multi, empty }) {
  const map = new Map();
  for (let i = 0; i < runs.length; i += 4) {
    const [start, length, target, step] = runs.slice(i, i + 4);
    for (let k = 0; k < length; k++) map.set(start + k, String.fromCodePoint(target + step * k));
  }
  for (const [cp, out] of Object.entries(multi)) map.set(Number(cp), out);
  const blanks = ranges(empty);
  for (let i = 0; i < blanks.length; i += 2) {
    for (let cp = blanks[i]; cp < blanks[i + 1]; cp++) map.set(cp, "");
  }
  return map;
}

const SPACE = new Set(UNICODE.space.map((cp) => String.fromCodePoint(cp)));
const UNPRINTABLE = ranges(UNICODE.unprintable);
const FOLD_SAME = ranges(UNICODE.foldSame);
const FOLD = mapping(UNICODE.fold);
const VALUE_KEY = mapping(UNICODE.valueKey);
const JOINERS = new Set(VOCABULARIES.joiners);
const DIGIT_ZEROS = UNICODE.digitZeros;

/** Python's str.strip(): Unicode whitespace as str.isspace() defines it. */
export function strip(text) {
  let start = 0;
  let end = text.length;
  while (start < end && SPACE.has(text[start])) start++; // all whitespace is in the BMP
  while (end > start && SPACE.has(text[end - 1])) end--;
  return text.slice(start, end);
}

/** Python's str.isascii(). */
export function isAscii(text) {
  return /^[\x00-\x7f]*$/.test(text);
}

/** Python's str.split() on text that holds single spaces only: no empty words. */
export function words(text) {
  return text ? text.split(" ").filter(Boolean) : [];
}

/** Python's len() of a str: code points, not UTF-16 units. */
export function length(text) {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** problems._clip: at most ``limit`` code points, an ellipsis marking a cut. */
export function clip(text, limit = 80) {
  const chars = Array.from(text);
  return chars.length <= limit ? text : chars.slice(0, limit - 1).join("") + "…";
}

/** Compare strings by code point, as Python's sorted() does (UTF-16 order differs). */
export function compareCodePoints(a, b) {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

/** Python's repr() of a str, used in the encoder's messages. */
export function pyRepr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (!inRanges(UNPRINTABLE, cp)) out += ch;
    else if (cp < 0x100) out += "\\x" + cp.toString(16).padStart(2, "0");
    else if (cp < 0x10000) out += "\\u" + cp.toString(16).padStart(4, "0");
    else out += "\\U" + cp.toString(16).padStart(8, "0");
  }
  return out + quote;
}

/** The value of a Unicode decimal digit (category Nd), or -1. Python's int() accepts them. */
export function digitValue(ch) {
  const cp = ch.codePointAt(0);
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  for (const zero of DIGIT_ZEROS) {
    if (cp >= zero && cp < zero + 10) return cp - zero;
  }
  return -1;
}

/** A regular-expression class of every Unicode decimal digit (Python's \d on str). */
export const DIGIT_CLASS =
  "[" +
  DIGIT_ZEROS.map((z) => `\\u{${z.toString(16)}}-\\u{${(z + 9).toString(16)}}`).join("") +
  "]";

/** Python's int() of a run of decimal digits. */
export function digitsToInt(text) {
  let n = 0;
  for (const ch of text) n = n * 10 + digitValue(ch);
  return n;
}

function hangul(cp) {
  const s = cp - 0xac00;
  const trail = s % 28;
  return (
    String.fromCodePoint(0x1100 + Math.floor(s / 588), 0x1161 + Math.floor((s % 588) / 28)) +
    (trail ? String.fromCodePoint(0x11a7 + trail) : "")
  );
}

function foldChar(ch) {
  const cp = ch.codePointAt(0);
  if (cp < 0x80) {
    if (cp >= 0x61 && cp <= 0x7a) return ch;
    if (cp >= 0x41 && cp <= 0x5a) return String.fromCharCode(cp + 32);
    return " ";
  }
  const mapped = FOLD.get(cp);
  if (mapped !== undefined) return mapped;
  if (cp >= 0xac00 && cp <= 0xd7a3) return hangul(cp);
  return inRanges(FOLD_SAME, cp) ? ch : " ";
}

/**
 * names.fold: drop apostrophes and dots; casefold; NFKD; drop marks; fold the letters that
 * do not decompose; every run of non-letters becomes one space.
 */
export function fold(text) {
  let out = "";
  for (const ch of text) {
    if (!JOINERS.has(ch)) out += foldChar(ch);
  }
  return words(out).join(" ");
}

/** values.value_key: a cell folded for lookup (only 0-9, a-z, ? and single spaces remain). */
export function valueKey(text) {
  let out = "";
  for (const ch of text) {
    const mapped = VALUE_KEY.get(ch.codePointAt(0));
    out += mapped === undefined ? " " : mapped;
  }
  return words(out).join(" ");
}

// Keyed pseudonyms (pseudonyms.py): hex(HMAC-SHA256(K_pn, label || 0x1F || utf8(value))),
// one domain label per field; an empty value gives an empty pseudonym.
import { KeyedHash, derive, hex, utf8 } from "./key.js";

const MEMO_LIMIT = 1 << 16;

/** Remember a promise under a key, in a map cleared when it grows too large. */
export function remember(memo, key, make) {
  let found = memo.get(key);
  if (found === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear(); // bounded memory; only speed is lost
    found = make();
    memo.set(key, found);
  }
  return found;
}

export class Pseudonymiser {
  static async create(key) {
    const secret = await derive(key.hasher, "victim-monitor/v1/pseudonym");
    return new Pseudonymiser(await KeyedHash.create(secret));
  }

  constructor(hasher) {
    this.hasher = hasher;
    this.memo = new Map();
  }

  /** 64 lowercase hex digits, or "" for an empty value (never a hash of nothing). */
  pseudonym(label, value) {
    if (!value) return Promise.resolve("");
    return remember(this.memo, `${label}\x1f${value}`, async () =>
      hex(await this.hasher.digest(utf8(`${label}\x1f${value}`))),
    );
  }

  /** The nine pseudonym columns of one report, in column order. */
  row(names, birth, sex) {
    const p = (label, value) => this.pseudonym(label, value);
    const known = birth === null ? "" : birth.iso();
    return Promise.all([
      p("first_name", names.first),
      p("last_name", names.last),
      p("full_name", names.full),
      p("name_sorted", names.tokensSorted),
      p("first_name_phonetic", names.firstPhonetic),
      p("last_name_phonetic", names.lastPhonetic),
      p("birth_date", birth !== null && birth.isFull ? known : ""),
      p("birth_year_month", birth !== null && birth.month !== null ? known.slice(0, 7) : ""),
      p("sex_birth_year", birth === null ? "" : `${sex}\x1f${known.slice(0, 4)}`),
    ]);
  }
}

// Name normalisation before hashing (names.py): the same person written differently should
// hash alike. The rules are part of the submission format; see docs/encoder.md.
import { metaphone } from "./metaphone.js";
import { VOCABULARIES } from "./tables.js";
import { compareCodePoints, fold, isAscii, words } from "./text.js";

const PARTICLES = new Set(VOCABULARIES.particles);
const PLACEHOLDERS = new Set(VOCABULARIES.placeholders);
const SPELLING_FOLDS = VOCABULARIES.spellingFolds;

/** True for a folded name that is empty or stands in for an unknown name (N.N., onbekend). */
export function isPlaceholder(folded) {
  return !folded || PLACEHOLDERS.has(folded.replaceAll(" ", ""));
}

/** Last-name tokens without leading particles; "Berg, van der" is read as "van der Berg". */
function lastTokens(raw) {
  if (isPlaceholder(fold(raw))) return [];
  const at = raw.indexOf(",");
  const head = at < 0 ? raw : raw.slice(0, at);
  let tokens = words(fold(head));
  if (at >= 0) {
    const tail = words(fold(raw.slice(at + 1)));
    if (!(tail.length && tail.every((t) => PARTICLES.has(t)))) tokens = tokens.concat(tail);
  }
  let start = 0;
  while (start < tokens.length - 1 && PARTICLES.has(tokens[start])) start++;
  return tokens.slice(start);
}

/** Fold Dutch and neighbouring spelling variants of one sound to one spelling. */
export function spellingFold(key) {
  for (const [old, replacement] of SPELLING_FOLDS) key = key.replaceAll(old, replacement);
  key = key
    .replace(/c(?=[eiy])/g, "s")
    .replaceAll("c", "k")
    .replaceAll("y", "i");
  key = key.replace(/(.)\1+/gu, "$1");
  return key.endsWith("d") ? key.slice(0, -1) + "t" : key;
}

/** Metaphone of the spelling-folded key; for non-Latin letters, the folded key itself. */
export function phonetic(key) {
  if (!key) return "";
  const folded = spellingFold(key.replaceAll(" ", ""));
  if (!isAscii(folded)) return folded;
  return metaphone(folded) || folded;
}

/**
 * The normalised strings that are hashed (names.NameKeys); empty where nothing is known:
 * first, given, last, full, tokensSorted, firstPhonetic, lastPhonetic.
 */
export function nameKeys(firstName, lastName) {
  const foldedFirst = fold(firstName);
  const given = isPlaceholder(foldedFirst) ? [] : words(foldedFirst);
  const last = lastTokens(lastName);
  const everything = [...given, ...last];
  const kept = everything.filter((t) => !PARTICLES.has(t));
  const first = given.length ? given[0] : "";
  const allGiven = given.join(" ");
  const lastName_ = last.join("");
  return {
    first,
    given: allGiven,
    last: lastName_,
    full: given.length && lastName_ ? `${allGiven}\x1f${lastName_}` : "",
    tokensSorted: (kept.length ? kept : everything).sort(compareCodePoints).join(" "),
    firstPhonetic: phonetic(first),
    lastPhonetic: phonetic(lastName_),
  };
}

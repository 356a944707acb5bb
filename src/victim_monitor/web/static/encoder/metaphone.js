// Metaphone exactly as jellyfish 1.3 computes it (its Rust metaphone.rs, ported line by line),
// including its quirks, because the phonetic pseudonyms depend on its output. Only ASCII
// keys reach it (names.js); a test compares it with jellyfish on random strings.

const isVowel = (c) => "AEIOU".includes(c) && c !== "";
const isIEY = (c) => c === "I" || c === "E" || c === "Y";

/** jellyfish.metaphone of an ASCII string. */
export function metaphone(s) {
  if (!s) return "";
  s = s.toUpperCase();
  const v = Array.from(s);
  if (["KN", "GN", "PN", "WR", "AE"].some((p) => s.startsWith(p))) v.shift();
  const ret = [];
  let i = 0;
  while (i < v.length) {
    const c = v[i];
    const next = i + 1 < v.length ? v[i + 1] : "*";
    const nextnext = i + 2 < v.length ? v[i + 2] : "*";
    if (c === next && c !== "C") {
      i += 1;
      continue;
    }
    switch (c) {
      case "A":
      case "E":
      case "I":
      case "O":
      case "U":
        if (i === 0 || v[i - 1] === " ") ret.push(c);
        break;
      case "B":
        if (i === 0 || v[i - 1] !== "M" || next !== "*") ret.push("B");
        break;
      case "C":
        if ((next === "I" && nextnext === "A") || next === "H") {
          i += 1;
          ret.push("X");
        } else if (isIEY(next)) {
          i += 1;
          ret.push("S");
        } else {
          ret.push("K");
        }
        break;
      case "D":
        if (next === "G" && isIEY(nextnext)) {
          i += 2;
          ret.push("J");
        } else {
          ret.push("T");
        }
        break;
      case "F":
      case "J":
      case "L":
      case "M":
      case "N":
      case "R":
        ret.push(c);
        break;
      case "G":
        if (isIEY(next)) {
          ret.push("J");
        } else if (
          // jellyfish 1.3 skips GH before a consonant and at the end ("gh" gives "")
          (next === "H" && !isVowel(nextnext)) ||
          (next === "N" && nextnext === "*")
        ) {
          i += 1;
        } else {
          ret.push("K");
        }
        break;
      case "H":
        if (i === 0 || isVowel(next) || !isVowel(v[i - 1])) ret.push("H");
        break;
      case "K":
        if (i === 0 || v[i - 1] !== "C") ret.push("K");
        break;
      case "P":
        if (next === "H") {
          i += 1;
          ret.push("F");
        } else {
          ret.push("P");
        }
        break;
      case "Q":
        ret.push("K");
        break;
      case "S":
        if (next === "H") {
          i += 1;
          ret.push("X");
        } else if (next === "I" && (nextnext === "O" || nextnext === "A")) {
          i += 2;
          ret.push("X");
        } else {
          ret.push("S");
        }
        break;
      case "T":
        if (next === "I" && (nextnext === "O" || nextnext === "A")) {
          ret.push("X");
        } else if (next === "H") {
          i += 1;
          ret.push("0");
        } else if (next !== "C" || nextnext !== "H") {
          ret.push("T");
        }
        break;
      case "V":
        ret.push("F");
        break;
      case "W":
        if (i === 0 && next === "H") {
          i += 1;
          ret.push("W");
        } else if (isVowel(next)) {
          ret.push("W");
        }
        break;
      case "X":
        if (i === 0) {
          const soft = next === "H" || (next === "I" && (nextnext === "O" || nextnext === "A"));
          ret.push(soft ? "X" : "S");
        } else {
          ret.push("K", "S");
        }
        break;
      case "Y":
        if (isVowel(next)) ret.push("Y");
        break;
      case "Z":
        ret.push("S");
        break;
      case " ":
        if (ret.length && ret[ret.length - 1] !== " ") ret.push(" ");
        break;
      default:
        break;
    }
    i += 1;
  }
  return ret.join("");
}

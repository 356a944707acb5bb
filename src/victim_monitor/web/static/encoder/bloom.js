// The hardened record-level Bloom filter (bloom.py): a 1024-bit CLK with keyed positions,
// XOR-folded to 512 bits, balanced with its complement and permuted by a keyed shuffle.
// Bit 0 is the most significant bit of the first byte. See docs/encoder.md.
import { KeyedHash, derive, utf8 } from "./key.js";
import { remember } from "./pseudonyms.js";

const CLK_BITS = 1024;
const FOLDED_BITS = CLK_BITS / 2;
const BLOOM_BITS = 2 * FOLDED_BITS;
const K_NAME = 20;
const K_DATE = 40;
const PAD = "_";

/** Read 16-bit big-endian numbers from bytes. */
function* numbers(bytes) {
  for (let at = 0; at < bytes.length; at += 2) yield (bytes[at] << 8) | bytes[at + 1];
}

/**
 * A permutation of 0..n-1: Fisher-Yates for i = n-1 down to 1, j from the stream of 16-bit
 * numbers of HMAC(secret, 4-byte big-endian counter), rejecting numbers >= 65536 - 65536 % (i+1).
 */
export async function keyedPermutation(secret, n) {
  const hasher = await KeyedHash.create(secret);
  const stream = [];
  let counter = 0;
  const more = async (blocks) => {
    const made = await Promise.all(
      Array.from({ length: blocks }, (_, k) => {
        const message = new Uint8Array(4);
        new DataView(message.buffer).setUint32(0, counter + k);
        return hasher.digest(message);
      }),
    );
    counter += blocks;
    for (const block of made) stream.push(...numbers(block));
  };
  const order = Array.from({ length: n }, (_, i) => i);
  let at = 0;
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = 65536 - (65536 % bound);
    let number;
    do {
      if (at >= stream.length) await more(Math.ceil(n / 16) + 8);
      number = stream[at++];
    } while (number >= limit);
    const j = number % bound;
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

class Field {
  constructor(hasher, label, k) {
    this.hasher = hasher;
    this.label = label;
    this.k = k;
    this.memo = new Map();
  }

  /** The k positions of one item: 16-bit chunks of HMAC(label 0x1F token 0x1F byte(block)). */
  positions(token) {
    return remember(this.memo, token, async () => {
      const head = utf8(`${this.label}\x1f${token}\x1f`);
      const blocks = await Promise.all(
        Array.from({ length: Math.ceil(this.k / 16) }, (_, i) => {
          const message = new Uint8Array(head.length + 1);
          message.set(head);
          message[head.length] = i;
          return this.hasher.digest(message);
        }),
      );
      const chunks = new Uint8Array(32 * blocks.length);
      blocks.forEach((block, i) => chunks.set(block, 32 * i));
      const out = new Uint16Array(this.k);
      for (let i = 0; i < this.k; i++)
        out[i] = ((chunks[2 * i] << 8) | chunks[2 * i + 1]) & (CLK_BITS - 1);
      return out;
    });
  }

  /** Positions of every bigram of the padded name. */
  bigrams(name) {
    const padded = Array.from(`${PAD}${name}${PAD}`);
    const grams = [];
    for (let i = 0; i + 1 < padded.length; i++) grams.push(padded[i] + padded[i + 1]);
    return grams.map((gram) => this.positions(gram));
  }
}

function toBase64(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

export class BloomEncoder {
  static async create(key) {
    const hasher = await KeyedHash.create(await derive(key.hasher, "victim-monitor/v1/bloom"));
    const secret = await derive(key.hasher, "victim-monitor/v1/bloom-permutation");
    return new BloomEncoder(hasher, await keyedPermutation(secret, BLOOM_BITS));
  }

  constructor(hasher, order) {
    this.first = new Field(hasher, "first_name", K_NAME);
    this.last = new Field(hasher, "last_name", K_NAME);
    this.year = new Field(hasher, "birth_year", K_DATE);
    this.month = new Field(hasher, "birth_month", K_DATE);
    this.day = new Field(hasher, "birth_day", K_DATE);
    this.order = Uint16Array.from(order);
  }

  /** Base64 of the hardened filter, or "" when there is no name and no birth date. */
  async encode(first, last, birth) {
    let items = [];
    // concat, not push(...): a name may have more bigrams than a call has arguments
    if (first) items = items.concat(this.first.bigrams(first));
    if (last) items = items.concat(this.last.bigrams(last));
    if (birth !== null) {
      items.push(this.year.positions(String(birth.year).padStart(4, "0")));
      if (birth.month !== null)
        items.push(this.month.positions(String(birth.month).padStart(2, "0")));
      if (birth.day !== null) items.push(this.day.positions(String(birth.day).padStart(2, "0")));
    }
    if (!items.length) return "";
    const clk = new Uint8Array(CLK_BITS);
    for (const positions of await Promise.all(items)) for (const p of positions) clk[p] = 1;
    return toBase64(this.harden(clk));
  }

  /** XOR-fold, append the complement, permute, pack: the 128 bytes that are published. */
  harden(clk) {
    const balanced = new Uint8Array(BLOOM_BITS);
    for (let i = 0; i < FOLDED_BITS; i++) {
      const bit = clk[i] ^ clk[i + FOLDED_BITS];
      balanced[i] = bit;
      balanced[i + FOLDED_BITS] = bit ^ 1;
    }
    const out = new Uint8Array(BLOOM_BITS / 8);
    for (let i = 0; i < BLOOM_BITS; i++) {
      if (balanced[this.order[i]]) out[i >> 3] |= 0x80 >> (i & 7);
    }
    return out;
  }
}

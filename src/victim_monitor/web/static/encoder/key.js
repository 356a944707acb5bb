// The pseudonymisation key (key.py): reading the key file, deriving secrets, HMAC-SHA256
// through WebCrypto. The key never leaves this page: it is imported as a non-extractable key.

const KEY_HEADER = "victim-monitor-key v1";
const KEY_BYTES = 32;
const UTF8 = new TextEncoder();

/** A key file that is missing, malformed or too short; the message says what is wrong. */
export class KeyFileError extends Error {}

function subtle() {
  const found = globalThis.crypto && globalThis.crypto.subtle;
  if (!found) throw new Error("WebCrypto (crypto.subtle) is not available: use https or localhost");
  return found;
}

/** HMAC-SHA256 under one secret; ``digest(bytes)`` resolves to 32 bytes. */
export class KeyedHash {
  static async create(secret) {
    const key = await subtle().importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    return new KeyedHash(key);
  }

  constructor(cryptoKey) {
    this.key = cryptoKey;
  }

  async digest(message) {
    return new Uint8Array(await subtle().sign("HMAC", this.key, message));
  }
}

export const utf8 = (text) => UTF8.encode(text);

export function hex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** A 32-byte secret for one purpose: HMAC-SHA256(key, label). */
export async function derive(hasher, label) {
  return hasher.digest(utf8(label));
}

// Python's str.splitlines() boundaries that can occur in ASCII text.
const LINE_BREAKS = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e]/;
const PY_SPACE = /^[\t\n\x0b\x0c\r\x1c-\x1f ]+|[\t\n\x0b\x0c\r\x1c-\x1f ]+$/g;

/** base64.b64decode(text, validate=True) of Python 3.11, or null where it raises. */
function decodeBase64(text) {
  const match = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(text);
  if (!match) return null;
  const [, data, padding] = match;
  const rest = data.length % 4;
  const fits = rest === 0 ? data.length > 0 || !padding : padding.length === 4 - rest;
  if (rest === 1 || !fits) return null;
  return Uint8Array.from(atob(data + "=".repeat((4 - rest) % 4)), (c) => c.charCodeAt(0));
}

/**
 * Read a key file's text as key.read_key does; resolves to {keyId, hasher}. Throws
 * KeyFileError for a file that is not a key file.
 */
export async function readKey(text, name = "key file") {
  if (!/^[\x00-\x7f]*$/.test(text)) {
    throw new KeyFileError(`${name}: cannot read key file (not ASCII text)`);
  }
  const lines = text
    .split(LINE_BREAKS)
    .map((line) => line.replace(PY_SPACE, ""))
    .filter((line) => line && !line.startsWith("#"));
  if (!lines.length || lines[0] !== KEY_HEADER) {
    throw new KeyFileError(`${name}: not a key file (first line must be '${KEY_HEADER}')`);
  }
  if (lines.length !== 2) {
    throw new KeyFileError(`${name}: malformed key file (expected one line of key material)`);
  }
  const secret = decodeBase64(lines[1]);
  if (secret === null) {
    throw new KeyFileError(`${name}: malformed key file (key material is not base64)`);
  }
  if (secret.length < KEY_BYTES) {
    throw new KeyFileError(`${name}: key too short (${secret.length} bytes, need ${KEY_BYTES})`);
  }
  return openKey(secret);
}

/** A key from its secret bytes: its id and a hasher to derive the encoder's secrets. */
export async function openKey(secret) {
  const hasher = await KeyedHash.create(secret);
  const keyId = hex((await derive(hasher, "victim-monitor/v1/key-id")).slice(0, 8));
  return { keyId, hasher };
}

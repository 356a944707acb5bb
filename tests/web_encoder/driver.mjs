// Test driver: runs the browser encoder under Node.js for pytest. Reads one JSON request per
// line on stdin, writes one JSON answer per line on stdout (see harness.py).
import { webcrypto } from "node:crypto";
import { createInterface } from "node:readline";
import { metaphone } from "../../src/victim_monitor/web/static/encoder/metaphone.js";
import {
  encodeFile,
  encodeWithSecret,
} from "../../src/victim_monitor/web/static/encoder/encoder.js";
import { nameKeys } from "../../src/victim_monitor/web/static/encoder/names.js";
import { fold, valueKey } from "../../src/victim_monitor/web/static/encoder/text.js";

// Node 19+ has WebCrypto as globalThis.crypto, as browsers do; Debian's Node 18 only here.
if (!globalThis.crypto) globalThis.crypto = webcrypto;

const bytes = (b64) => Uint8Array.from(Buffer.from(b64, "base64"));

async function answer(request) {
  switch (request.op) {
    case "encode": {
      const raw = bytes(request.raw);
      const progress = [];
      request.options.onProgress = (rows) => progress.push(rows);
      const result =
        request.keyText !== undefined
          ? await encodeFile(raw, request.keyText, request.options)
          : await encodeWithSecret(raw, bytes(request.secret), request.options);
      const output = result.output === null ? null : Buffer.from(result.output).toString("base64");
      return { output, summary: result.summary, problems: result.problems, progress };
    }
    case "metaphone":
      return { outputs: request.inputs.map(metaphone) };
    case "fold":
      return { outputs: request.inputs.map(fold) };
    case "valueKey":
      return { outputs: request.inputs.map(valueKey) };
    case "nameKeys":
      return { outputs: request.inputs.map(([first, last]) => nameKeys(first, last)) };
    case "bench": {
      const raw = bytes(request.raw);
      const secret = bytes(request.secret);
      const started = process.hrtime.bigint();
      const result = await encodeWithSecret(raw, secret, request.options);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return { seconds, rows: result.summary.rows_written };
    }
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let reply;
  try {
    reply = await answer(JSON.parse(line));
  } catch (error) {
    reply = { error: { name: error.constructor.name, message: String(error.message) } };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}

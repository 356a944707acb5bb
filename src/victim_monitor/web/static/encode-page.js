// The browser-encoding page: encode the raw file with the key here, upload only the result.
// The file inputs have no name, so no form submission can ever send the raw file.
import { encodeFile, KeyFileError } from "/static/encoder/encoder.js";

const WORDS = {
  nl: { encoding: "Bezig met versleutelen…", uploading: "Uploaden…", failed: "Het bestand heeft fouten; er is niets geüpload.", key: "Geen geldig sleutelbestand: " },
  en: { encoding: "Encoding…", uploading: "Uploading…", failed: "The file has errors; nothing was uploaded.", key: "Not a valid key file: " },
};

const form = document.getElementById("encode-form");
const status = document.getElementById("encode-status");
const progress = document.getElementById("encode-progress");
const problemsTable = document.getElementById("encode-problems");
const words = WORDS[form.dataset.lang] || WORDS.en;

function showProblems(problems) {
  const body = problemsTable.querySelector("tbody");
  body.replaceChildren();
  for (const p of problems) {
    const row = document.createElement("tr");
    for (const value of [p.row ?? "", p.field ?? "", p.code, p.severity, p.message]) {
      const cell = document.createElement("td");
      cell.textContent = String(value);
      row.append(cell);
    }
    body.append(row);
  }
  problemsTable.hidden = problems.length === 0;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const rawFile = document.getElementById("raw-file").files[0];
  const keyFile = document.getElementById("key-file").files[0];
  if (!rawFile || !keyFile) return;
  status.textContent = words.encoding;
  progress.hidden = false;
  let result;
  try {
    const raw = new Uint8Array(await rawFile.arrayBuffer());
    result = await encodeFile(raw, await keyFile.text(), {
      fileName: rawFile.name,
      onProgress: (rows) => { progress.max = Math.max(progress.max, rows); progress.value = rows; },
    });
  } catch (error) {
    progress.hidden = true;
    status.textContent = error instanceof KeyFileError ? words.key + error.message : String(error);
    return;
  }
  showProblems(result.problems);
  if (!result.output) {
    progress.hidden = true;
    status.textContent = words.failed;
    return;
  }
  status.textContent = words.uploading;
  const name = rawFile.name.replace(/\.[^.]*$/, "") + "-encoded.csv";
  const token = document.getElementById("csrf").value;
  const data = new FormData();
  data.append("csrf_token", token); // the first part: the server checks it before the file
  data.append("file", new Blob([result.output], { type: "text/csv" }), name);
  const response = await fetch(form.dataset.upload, {
    method: "POST",
    body: data,
    credentials: "same-origin",
    headers: { "X-CSRF-Token": token },
  });
  window.location.assign(response.url);
});

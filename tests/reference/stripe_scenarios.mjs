// Every Stripe scenario, sent by `hooktool send stripe --scenario NAME` to a handler that
// verifies each delivery with the official stripe library (tools/fixtures/stripe/handler.js):
// all verified, in the scenario's order, and every id the scenario shares is the same value in
// every event that carries it. Then a handler that fails the third delivery: send stops there.
// Usage: node stripe_scenarios.mjs HOOKTOOL SOURCE_DIR   (exit 0 pass, 1 fail)
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

const [hooktool, src] = process.argv.slice(2);
const secret = "whsec_reference_scenarios";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hooktool-scenarios-"));
const log = path.join(tmp, "deliveries.jsonl");
const problems = [];
const fail = (msg) => problems.push(msg);

function run(args) {
  return new Promise((resolve) => {
    execFile(hooktool, ["--no-config", ...args], { encoding: "utf8" }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
  });
}

// Starts the handler and resolves with its port once it prints `listening on PORT`.
function startHandler() {
  const handler = spawn("node", [path.join(src, "tools/fixtures/stripe/handler.js"), secret, log],
                        { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    handler.on("exit", (code) => reject(new Error(`handler exited ${code}`)));
    readline.createInterface({ input: handler.stdout }).on("line", (line) => {
      const m = /^listening on (\d+)$/.exec(line);
      if (m) resolve({ handler, port: Number(m[1]) });
    });
  });
}

function at(doc, keys) {
  return keys.reduce((o, k) => (o !== null && typeof o === "object" ? o[k] : undefined), doc);
}

// The JSON paths of a scenario event's template (fixture, renames, then `set`) whose value is
// exactly one of the shared placeholders: {placeholder: [[key, ...], ...]}.
function sharedPaths(step, shared) {
  let text = fs.readFileSync(path.join(src, "fixtures/stripe", `${step.event}.json`), "utf8");
  for (const [from, to] of Object.entries(step.placeholders || {})) text = text.split(from).join(to);
  const doc = JSON.parse(text);
  for (const [dotted, value] of Object.entries(step.set || {})) {
    const keys = dotted.split(".");
    const parent = at(doc, keys.slice(0, -1));
    if (parent && typeof parent === "object") parent[keys[keys.length - 1]] = value;
  }
  const out = {};
  const walk = (v, keys) => {
    if (typeof v === "string" && shared.includes(v)) (out[v] ||= []).push(keys);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) walk(x, [...keys, k]);
  };
  walk(doc, []);
  return out;
}

function checkScenario(sc, records) {
  const file = JSON.parse(fs.readFileSync(path.join(src, "fixtures/stripe/scenarios", `${sc.scenario}.json`), "utf8"));
  const where = `scenario ${sc.scenario}`;
  const types = records.map((r) => r.type);
  const expected = sc.events.map((e) => e.event);
  if (records.some((r) => !r.verified))
    return fail(`${where}: constructEvent rejected a delivery: ${records.find((r) => !r.verified).error}`);
  if (JSON.stringify(types) !== JSON.stringify(expected))
    return fail(`${where}: received ${types.join(", ")}; expected ${expected.join(", ")}`);
  if (new Set(records.map((r) => r.id)).size !== records.length) fail(`${where}: two events share an event id`);
  const values = {}; // placeholder -> {value -> [event index, ...]}
  file.events.forEach((step, i) => {
    for (const [ph, paths] of Object.entries(sharedPaths(step, file.shared)))
      for (const keys of paths) {
        const v = at(records[i].event, keys);
        ((values[ph] ||= {})[JSON.stringify(v)] ||= []).push(`${i + 1}:${keys.join(".")}`);
      }
  });
  const notes = [];
  for (const ph of file.shared) {
    const seen = values[ph] || {};
    const distinct = Object.keys(seen);
    if (distinct.length === 0) continue; // only inside a longer text (a URL): not checked here
    if (distinct.length > 1)
      fail(`${where}: ${ph} is not one value across the events: ` +
           distinct.map((v) => `${v} at ${seen[v].slice(0, 3).join(", ")}`).join("; "));
    const events = new Set(Object.values(seen).flat().map((s) => s.split(":")[0]));
    notes.push(`${ph}=${distinct[0]} in ${events.size} event(s)`);
  }
  if (!Object.values(values).some((seen) => new Set(Object.values(seen).flat().map((s) => s.split(":")[0])).size > 1))
    fail(`${where}: no shared id occurs in two events`);
  console.log(`ok ${where}: ${records.length} events verified in order; ${notes.join(", ")}`);
  return undefined;
}

async function main() {
  const { handler, port } = await startHandler();
  try {
    const listed = await run(["fixtures", "stripe", "--scenarios", "--json"]);
    if (listed.code !== 0) throw new Error(`fixtures --scenarios exited ${listed.code}: ${listed.stderr}`);
    const scenarios = listed.stdout.trim().split("\n").map((l) => JSON.parse(l));
    if (scenarios.length < 6) fail(`only ${scenarios.length} Stripe scenarios listed`);
    for (const sc of scenarios) {
      const r = await run(["send", "stripe", "--scenario", sc.scenario, "--to", `http://127.0.0.1:${port}/${sc.scenario}`,
                           "--secret", secret, "--scenario-gap", "0"]);
      if (r.code !== 0) fail(`scenario ${sc.scenario}: send exited ${r.code}: ${r.stderr.trim()}`);
    }
    const stop = await run(["send", "stripe", "--scenario", "checkout", "--to", `http://127.0.0.1:${port}/stop/fail-3`,
                            "--secret", secret, "--scenario-gap", "0"]);
    const records = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    for (const sc of scenarios) checkScenario(sc, records.filter((r) => r.path === `/${sc.scenario}`));
    const stopped = records.filter((r) => r.path === "/stop/fail-3").length;
    if (stop.code !== 1 || stopped !== 3 || !stop.stderr.includes("stopped at event 3 of 6"))
      fail(`a handler failing the 3rd delivery: send exited ${stop.code} after ${stopped} deliveries: ${stop.stderr.trim()}`);
    else console.log("ok: a 500 on the 3rd event stops the scenario there (exit 1)");
  } finally {
    handler.removeAllListeners("exit");
    handler.kill("SIGTERM");
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  for (const p of problems) console.log(`FAIL ${p}`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL ${e.message}`);
  process.exit(1);
});

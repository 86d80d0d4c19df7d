// The anchor of `expression_recompute` (benchmarks/expressions.py): SurveyJS's own engine
// (survey-core) doing the change the app does, timed inside Node.
//
//   node survey_recompute.mjs SURVEY_CORE_DIR SURVEY.json < commands
//
// SURVEY_CORE_DIR is the folder holding node_modules/survey-core. Each line on stdin is a
// JSON object {"field": NAME, "values": [v1, v2, ...]}: for each value, in turn,
// `survey.setValue(NAME, v)` then every question's `isVisible` is read; the time of each
// (milliseconds, performance.now()) is printed as one JSON line
// {"ms": [...], "visible": N, "values": {name: value of the last expression question}}.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";

const [coreDir, surveyFile] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(coreDir), "index.js"));
const { Model } = require("survey-core");

const survey = new Model(JSON.parse(fs.readFileSync(surveyFile, "utf8")));
const questions = survey.getAllQuestions(false);
const expressions = questions.filter((q) => q.getType() === "expression");

function change(name, value) {
  const start = performance.now();
  survey.setValue(name, value);
  let visible = 0;
  for (const q of questions) if (q.isVisible) visible += 1;
  return [performance.now() - start, visible];
}

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  const ms = [];
  let visible = 0;
  for (const value of command.values) {
    const [taken, seen] = change(command.field, value);
    ms.push(taken);
    visible = seen;
  }
  const last = expressions.length ? expressions[expressions.length - 1] : null;
  const values = last ? { [last.name]: last.value ?? null } : {};
  process.stdout.write(JSON.stringify({ ms, visible, values }) + "\n");
}

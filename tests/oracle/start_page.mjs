#!/usr/bin/env node
// The oracle of the start page tests: what survey-core does with a start page
// (`firstPageIsStarted`) for some answers.
//
//   node start_page.mjs < [{"survey": SURVEY, "data": ANSWERS}, ...]
//
// Prints one item per case: {"start": name of survey.startPage, "pages": names of
// survey.visiblePages, "started": whether survey.start() (the Start button, which
// validates the start page) went on, "data": survey.data after it}.
import fs from "node:fs";
import { Model } from "survey-core";

const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const out = cases.map(({ survey: json, data }) => {
  const survey = new Model(json);
  survey.data = data;
  const start = survey.startPage ? survey.startPage.name : null;
  const pages = survey.visiblePages.map((p) => p.name);
  const started = survey.start();
  return { start, pages, started, data: survey.data };
});
process.stdout.write(JSON.stringify(out));

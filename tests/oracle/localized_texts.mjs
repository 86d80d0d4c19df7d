#!/usr/bin/env node
// The oracle of the SurveyJS translation tests: survey-core reads a survey's texts in each
// of the given locales, as it shows them (its own fallback: the locale, its root dialect,
// then "default").
//
//   node localized_texts.mjs < {"survey": SURVEY, "locales": ["", "de", "de-ch"]}
//
// Prints {LOCALE: {"pages": {name: title}, "questions": {name: {"title": T,
// "choices": [text, ...]}}}} with the raw texts ({name} references unprocessed); "" is the
// default locale.
import fs from "node:fs";
import { Model } from "survey-core";

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const survey = new Model(input.survey);
const out = {};
for (const locale of input.locales) {
  survey.locale = locale;
  const pages = {};
  for (const page of survey.pages) pages[page.name] = page.locTitle.pureText;
  const questions = {};
  for (const question of survey.getAllQuestions()) {
    const entry = { title: question.locTitle.pureText };
    if (Array.isArray(question.choices)) {
      entry.choices = question.choices.map((c) => c.locText.pureText);
    }
    questions[question.name] = entry;
  }
  out[locale] = { pages, questions };
}
process.stdout.write(JSON.stringify(out));

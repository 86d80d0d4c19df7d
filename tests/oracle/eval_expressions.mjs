#!/usr/bin/env node
// The oracle of the expression tests: survey-core (SurveyJS's own engine) evaluates a batch of
// expressions, so one Node process answers hundreds of cases.
//
//   node eval_expressions.mjs < CASES.json
//
// CASES is a JSON array of {"expression": TEXT, "values": {name: value}}. Prints a JSON array,
// one item per case, in order:
//   {"value": V, "condition": B}  V what ExpressionRunner returns, B what ConditionRunner does
//                                 (a Date as local "YYYY-MM-DD", with "THH:MM:SS" unless it is
//                                 midnight; NaN and Infinity as {"number": "NaN"} and so on;
//                                 undefined as null)
//   {"error": "cannot parse"}     survey-core cannot parse it (canRun() is false)
//   {"thrown": MESSAGE}           evaluating it threw (JavaScript's TypeError and the like)
import fs from "node:fs";
import { ConditionRunner, ExpressionRunner } from "survey-core";

const pad = (n, width = 2) => String(n).padStart(width, "0");

function plain(value) {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) {
    if (isNaN(value.getTime())) return { date: "invalid" };
    const day = `${pad(value.getFullYear(), 4)}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
    if (value.getHours() === 0 && value.getMinutes() === 0 && value.getSeconds() === 0) return day;
    return `${day}T${pad(value.getHours())}:${pad(value.getMinutes())}:${pad(value.getSeconds())}`;
  }
  if (typeof value === "number" && !isFinite(value)) return { number: String(value) };
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

function evaluateCase({ expression, values }) {
  try {
    const runner = new ExpressionRunner(expression);
    if (!runner.canRun()) return { error: "cannot parse" };
    const value = plain(runner.runValues(values));
    const condition = new ConditionRunner(expression).runValues(values);
    return { value, condition };
  } catch (error) {
    return { thrown: String(error && error.message) };
  }
}

const cases = JSON.parse(fs.readFileSync(0, "utf8"));
// survey-core reports unknown functions on the console; the answer is what counts here.
console.error = () => {};
console.warn = () => {};
process.stdout.write(JSON.stringify(cases.map(evaluateCase)) + "\n");

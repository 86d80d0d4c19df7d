// ODK's XPath engine as an oracle: Enketo's openrosa-xpath-evaluator (what Enketo and ODK
// Central's web forms evaluate XForm expressions with) over a jsdom XML document.
//
// stdin: {"cases": [{"xml": "<data>...</data>",
//                    "calculates": [{"node": "/data/c", "expr": "..."}],
//                    "exprs": [{"context": "/data/q", "expr": "...", "type": "boolean"}],
//                    "zeroed": ["/data/n", ...] (optional)}]}
// stdout: [{"calculated": {"/data/c": "text"}, "results": [value | {"error": "..."}],
//           "zeroed": {"calculated": ..., "results": ...} (with "zeroed")}]
//
// Each case's document holds the primary instance with the answers as ODK writes them.
// Its calculates are run first, as Enketo does on load, in bind order, again until no
// value changes (each result written into its node as text), so every expression then
// reads the calculated values; then every expression is evaluated at its context node
// and returned with the type asked for (`boolean`, `string` or `number`, as Enketo asks
// for relevant/constraint/required, calculate and numbers).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const require = createRequire(import.meta.url);
const window = new JSDOM('<oracle/>', { contentType: 'application/xml' }).window;
// The globals the evaluator expects from a browser (its README: Node, XPathResult...).
globalThis.Node = window.Node;
globalThis.XPathResult = window.XPathResult;
globalThis.XPathEvaluator = window.XPathEvaluator;
const orxe = require('openrosa-xpath-evaluator');
const evaluator = orxe();
const parser = new window.DOMParser();
const TYPES = {
    boolean: [window.XPathResult.BOOLEAN_TYPE, (r) => r.booleanValue],
    string: [window.XPathResult.STRING_TYPE, (r) => r.stringValue],
    number: [window.XPathResult.NUMBER_TYPE, (r) => r.numberValue],
};

function node(doc, path) {
    const found = doc.evaluate(path, doc, null, window.XPathResult.FIRST_ORDERED_NODE_TYPE, null);
    if (!found.singleNodeValue) throw new Error(`no node ${path}`);
    return found.singleNodeValue;
}

function run(expr, context, type) {
    const [resultType, read] = TYPES[type];
    return read(evaluator.evaluate(expr, context, null, resultType, null));
}

function plain(value) {
    // JSON has no NaN or infinities: they travel as texts, as XPath's string() writes them.
    if (typeof value === 'number' && !Number.isFinite(value)) {
        return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    }
    return value;
}

function evaluateCase({ xml, calculates, exprs, zeroed }) {
    const doc = parser.parseFromString(xml, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length) throw new Error('bad instance XML');
    const calculated = {};
    const targets = calculates.map((c) => [c, node(doc, c.node)]);
    for (let pass = 0; pass <= targets.length; pass++) {
        let changed = false;
        for (const [c, target] of targets) {
            let value;
            try {
                value = run(c.expr, target, 'string');
            } catch (error) {
                value = '';
                calculated[c.node] = { error: String(error.message).slice(0, 300) };
            }
            if (target.textContent !== value) {
                target.textContent = value;
                changed = true;
            }
            if (!(calculated[c.node] && calculated[c.node].error)) calculated[c.node] = value;
        }
        if (!changed) break;
    }
    const answer = { calculated, results: evaluateAll(doc, exprs) };
    if (zeroed) {
        // The same state with the empty (or NaN) number nodes named read as 0, nothing
        // recalculated: what XPath gives for the empty-as-0 reading (docs/xlsform.md).
        const copy = doc.cloneNode(true);
        for (const path of zeroed) {
            const target = node(copy, path);
            if (target.textContent === '' || target.textContent === 'NaN') target.textContent = '0';
        }
        const again = calculates.map((c) => ({ context: c.node, expr: c.expr, type: 'string' }));
        const all = evaluateAll(copy, [...exprs, ...again]);
        answer.zeroed = {
            results: all.slice(0, exprs.length),
            calculated: Object.fromEntries(calculates.map((c, i) => [c.node, all[exprs.length + i]])),
        };
    }
    return answer;
}

function evaluateAll(doc, exprs) {
    return exprs.map(({ context, expr, type }) => {
        try {
            return plain(run(expr, node(doc, context), type));
        } catch (error) {
            return { error: String(error.message).slice(0, 300) };
        }
    });
}

const batch = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(batch.cases.map(evaluateCase)));

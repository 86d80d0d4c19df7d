// ODK's XPath engine as an oracle: Enketo's openrosa-xpath-evaluator (what Enketo and ODK
// Central's web forms evaluate XForm expressions with) over a jsdom XML document.
//
// stdin: {"cases": [{"xml": "<data>...</data>",
//                    "calculates": [{"node": "/data/c", "expr": "..."}],
//                    "exprs": [{"context": "/data/q", "expr": "...", "type": "boolean"}],
//                    "zeroed": {"nodes": ["/data/n"], "exprs": [0], "calculates": ["/data/c"]}}]}
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
    // An absolute path of names with [n] indexes (/data/r[2]/q, /data/x/instance[@id='l']/root/item[3]),
    // walked over the elements (jsdom's XPath is slow on a large instance; the expressions
    // themselves still go through it).
    let at = doc;
    for (const step of path.split('/').slice(1)) {
        const [, name, predicate] = step.match(/^([^[]+)(?:\[(.+)\])?$/);
        const id = predicate && predicate.match(/^@id='([^']*)'$/);
        const nth = predicate && !id ? Number(predicate) : 1;
        let seen = 0;
        let next = null;
        for (const child of at.children) {
            if (child.tagName !== name || (id && child.getAttribute('id') !== id[1])) continue;
            if (++seen === nth) {
                next = child;
                break;
            }
        }
        if (!next) throw new Error(`no node ${path}`);
        at = next;
    }
    return at;
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
    if (zeroed && (zeroed.exprs.length || zeroed.calculates.length)) {
        // The same state with the empty (or NaN) number nodes named read as 0, nothing
        // recalculated: what XPath gives for the empty-as-0 reading (docs/xlsform.md),
        // for the expressions and calculates asked (the others are null).
        for (const path of zeroed.nodes) {
            const target = node(doc, path);
            if (target.textContent === '' || target.textContent === 'NaN') target.textContent = '0';
        }
        const asked = new Set(zeroed.exprs);
        const results = exprs.map((e, i) => (asked.has(i) ? evaluateAll(doc, [e])[0] : null));
        const byNode = Object.fromEntries(calculates.map((c) => [c.node, c.expr]));
        const again = zeroed.calculates.map((n) => ({ context: n, expr: byNode[n], type: 'string' }));
        const values = evaluateAll(doc, again);
        answer.zeroed = {
            results,
            calculated: Object.fromEntries(zeroed.calculates.map((n, i) => [n, values[i]])),
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

#!/usr/bin/env node
// Drives Debian's headless Chromium with playwright-core for qtws's browser tests: opens a page,
// runs a JavaScript snippet in it, prints the result as one JSON line, exits 0 (1 if the snippet
// threw or timed out, 2 on bad usage). See tests/interop/README.md.
//
//   node browser_peer.mjs --url URL (--eval JS | --eval-file FILE) [--timeout S] [--chromium PATH]
//   node browser_peer.mjs --url URL [--open URL]... --step PAGE:JS... [--screenshot PAGE:FILE]...
//
// The snippet is the body of an async function: `return await something;`. Its value must be
// JSON-serialisable. Output lines: {"type":"console","level":"log","text":"..."} for each console
// message of the page, then {"type":"result","value":...} or {"type":"error","message":"..."}.
//
// Several pages (e.g. two chat clients): --url is page 0, each --open URL one more page (a tab of
// the same browser), loaded in order. Each --step PAGE:JS runs, in order, the snippet JS in page
// PAGE, printing {"type":"step","index":I,"page":PAGE,"value":...}; the result is the list of the
// steps' values. --screenshot PAGE:FILE saves a PNG of that page after the steps (or --eval).
// Console lines of pages other than 0 carry "page":N.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

function emit(event) {
    process.stdout.write(JSON.stringify(event) + '\n');
}

function usage(message) {
    process.stderr.write(`browser_peer: ${message}\n`);
    process.exit(2);
}

let values;
try {
    ({ values } = parseArgs({
        options: {
            url: { type: 'string', default: 'about:blank' },
            eval: { type: 'string' },
            'eval-file': { type: 'string' },
            timeout: { type: 'string', default: '20' },
            chromium: { type: 'string', default: '/usr/bin/chromium' },
            open: { type: 'string', multiple: true, default: [] },
            step: { type: 'string', multiple: true, default: [] },
            screenshot: { type: 'string', multiple: true, default: [] },
        },
    }));
} catch (error) {
    usage(error.message);
}
// "PAGE:REST" → [page, rest], the page an index of an opened page.
function pageAndRest(option, text) {
    const match = /^(\d+):([\s\S]+)$/.exec(text);
    if (!match || Number(match[1]) > values.open.length)
        usage(`--${option} wants PAGE:..., PAGE one of 0..${values.open.length}`);
    return [Number(match[1]), match[2]];
}
const steps = values.step.map((text) => pageAndRest('step', text));
const screenshots = values.screenshot.map((text) => pageAndRest('screenshot', text));
const snippet = values.eval ?? (values['eval-file'] ? readFileSync(values['eval-file'], 'utf8') : null);
if (snippet === null && steps.length === 0)
    usage('--eval JS, --eval-file FILE or --step PAGE:JS is required');
if (snippet !== null && steps.length !== 0)
    usage('--step does not go with --eval or --eval-file');
const timeoutMs = Number(values.timeout) * 1000;

// A fresh profile every run; the flags keep Chromium off the network (this machine has none
// beyond loopback, and Chromium's background fetches would be refused) and quiet.
const profile = mkdtempSync(join(tmpdir(), 'qtws-chromium-'));
let context = null;
async function shutdown(code) {
    try {
        await context?.close();
    } finally {
        rmSync(profile, { recursive: true, force: true });
        process.exit(code);
    }
}
process.on('SIGTERM', () => shutdown(0));

let timer = null;
const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${values.timeout} s`)), timeoutMs);
});

let code = 0;
try {
    const run = async () => {
        context = await chromium.launchPersistentContext(profile, {
            executablePath: values.chromium,
            headless: true,
            chromiumSandbox: false,
            args: [
                '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
                '--disable-features=LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets',
            ],
        });
        const pages = [];
        for (const [index, url] of [values.url, ...values.open].entries()) {
            const page = (index === 0 ? context.pages()[0] : null) ?? (await context.newPage());
            const tag = index === 0 ? {} : { page: index };
            page.on('console', (message) => emit({ type: 'console', level: message.type(), text: message.text(), ...tag }));
            page.on('pageerror', (error) => emit({ type: 'console', level: 'pageerror', text: error.message, ...tag }));
            await page.goto(url);
            pages.push(page);
        }
        let value;
        if (snippet !== null) {
            value = await pages[0].evaluate(`(async () => { ${snippet}\n})()`);
        } else {
            value = [];
            for (const [index, [page, body]] of steps.entries()) {
                const stepValue = await pages[page].evaluate(`(async () => { ${body}\n})()`);
                emit({ type: 'step', index, page, value: stepValue === undefined ? null : stepValue });
                value.push(stepValue === undefined ? null : stepValue);
            }
        }
        for (const [page, file] of screenshots)
            await pages[page].screenshot({ path: file, fullPage: true });
        return value;
    };
    const value = await Promise.race([run(), deadline]);
    emit({ type: 'result', value: value === undefined ? null : value });
} catch (error) {
    emit({ type: 'error', message: error.message.split('\n')[0] });
    code = 1;
}
clearTimeout(timer);
await shutdown(code);

#!/usr/bin/env node
// Drives Debian's headless Chromium with playwright-core for qtws's browser tests: opens a page,
// runs a JavaScript snippet in it, prints the result as one JSON line, exits 0 (1 if the snippet
// threw or timed out, 2 on bad usage). See tests/interop/README.md.
//
//   node browser_peer.mjs --url URL (--eval JS | --eval-file FILE) [--timeout S] [--chromium PATH]
//
// The snippet is the body of an async function: `return await something;`. Its value must be
// JSON-serialisable. Output lines: {"type":"console","level":"log","text":"..."} for each console
// message of the page, then {"type":"result","value":...} or {"type":"error","message":"..."}.

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
        },
    }));
} catch (error) {
    usage(error.message);
}
const snippet = values.eval ?? (values['eval-file'] ? readFileSync(values['eval-file'], 'utf8') : null);
if (snippet === null)
    usage('--eval JS or --eval-file FILE is required');
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
        const page = context.pages()[0] ?? (await context.newPage());
        page.on('console', (message) => emit({ type: 'console', level: message.type(), text: message.text() }));
        page.on('pageerror', (error) => emit({ type: 'console', level: 'pageerror', text: error.message }));
        await page.goto(values.url);
        return page.evaluate(`(async () => { ${snippet}\n})()`);
    };
    const value = await Promise.race([run(), deadline]);
    emit({ type: 'result', value: value === undefined ? null : value });
} catch (error) {
    emit({ type: 'error', message: error.message.split('\n')[0] });
    code = 1;
}
clearTimeout(timer);
await shutdown(code);

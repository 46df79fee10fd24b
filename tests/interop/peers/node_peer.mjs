#!/usr/bin/env node
// A real WebSocket peer for qtws's interop tests, built on the npm package `ws` (pinned in
// tests/interop/package-lock.json). The command line, the script steps and the JSON event lines
// are the ones every peer shares: see tests/interop/README.md.
//
//   node node_peer.mjs server [--mode echo|script|close] [--script JSON|FILE] [options]
//   node node_peer.mjs client URL [--script JSON|FILE] [options]

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';

function emit(event) {
    process.stdout.write(JSON.stringify(event) + '\n');
}

function fail(message) {
    process.stderr.write(`node_peer: ${message}\n`);
    process.exit(2);
}

// The deterministic payload of a sized send: a..z repeated, or bytes 0..255 repeated.
function pattern(kind, size) {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; ++i)
        bytes[i] = kind === 'text' ? 0x61 + (i % 26) : i % 256;
    return bytes;
}

function messageEvent(data, isBinary) {
    const event = {
        type: isBinary ? 'binary' : 'text',
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
    };
    if (!isBinary && data.length <= 125)
        event.content = data.toString('utf8');
    return event;
}

function loadScript(value) {
    if (value === undefined)
        return [];
    const text = value.trimStart().startsWith('[') ? value : readFileSync(value, 'utf8');
    const steps = JSON.parse(text);
    if (!Array.isArray(steps))
        throw new Error('a script is a JSON list of steps');
    return steps;
}

class ExpectationFailed extends Error {}

const CLOSED = Symbol('closed');

// One connection: every event is logged as it arrives and queued; the script pulls from the
// queue. waitFor() re-checks its predicate whenever something arrives, within the step timeout.
class Session {
    constructor(ws, timeout, echo) {
        this.ws = ws;
        this.timeout = timeout;
        this.messages = [];
        this.pongs = [];
        this.close = null;
        this.listeners = new Set();
        this.closed = new Promise((resolve) => {
            ws.on('close', (code, reason) => {
                this.close = { code, reason: reason.toString('utf8') };
                emit({ type: 'close', ...this.close });
                this.notify();
                resolve();
            });
        });
        ws.on('message', (data, isBinary) => {
            emit(messageEvent(data, isBinary));
            if (echo)
                ws.send(data, { binary: isBinary });
            else
                this.messages.push({ data, isBinary });
            this.notify();
        });
        ws.on('pong', (data) => {
            emit({ type: 'pong', content: data.toString('utf8') });
            this.pongs.push(data.toString('utf8'));
            this.notify();
        });
        ws.on('error', (error) => emit({ type: 'error', message: `socket error: ${error.message}` }));
    }

    notify() {
        for (const listener of [...this.listeners])
            listener();
    }

    waitFor(predicate, what) {
        return new Promise((resolve, reject) => {
            let timer = null;
            const done = () => {
                clearTimeout(timer);
                this.listeners.delete(check);
            };
            const check = () => {
                const value = predicate();
                if (value === undefined)
                    return false;
                done();
                resolve(value);
                return true;
            };
            if (check())
                return;
            this.listeners.add(check);
            timer = setTimeout(() => {
                done();
                reject(new ExpectationFailed(`timed out after ${this.timeout} s waiting for ${what}`));
            }, this.timeout * 1000);
        });
    }

    async run(steps) {
        for (const [index, step] of steps.entries()) {
            try {
                await this.step(step);
            } catch (error) {
                throw new ExpectationFailed(`step ${index + 1}: ${error.message}`);
            }
        }
        if (!this.close) {
            this.ws.close(1000);
            await this.waitFor(() => this.close ?? undefined, 'the close');
        }
    }

    async step(step) {
        if (step.send === 'raw') {
            // Bytes straight onto the connection, past the library's framing: how a test makes
            // a real peer send frames no WebSocket library would (tests/support/badframes.h).
            this.ws._socket.write(Buffer.from(step.hex, 'hex'));
        } else if ('send' in step) {
            if (this.close)
                throw new ExpectationFailed('cannot send: the connection is closed');
            this.ws.send(payload(step, step.send), { binary: step.send !== 'text' });
        } else if ('ping' in step) {
            this.ws.ping(Buffer.from(step.ping, 'utf8'));
            await this.waitFor(() => {
                const index = this.pongs.indexOf(step.ping);
                return index < 0 ? undefined : this.pongs.splice(index, 1);
            }, `the pong of ping "${step.ping}"`);
        } else if ('close' in step) {
            this.ws.close(step.close, step.reason ?? '');
            await this.waitFor(() => this.close ?? undefined, 'the close');
        } else if (step.expect === 'close') {
            const close = await this.waitFor(() => this.close ?? undefined, 'the close');
            checkClose(step, close);
        } else if (step.expect === 'text' || step.expect === 'binary') {
            const message = await this.waitFor(
                () => this.messages.shift() ?? (this.close ? CLOSED : undefined), step.expect);
            if (message === CLOSED)
                throw new ExpectationFailed(`connection closed while expecting ${step.expect}`);
            checkMessage(step, message);
        } else {
            throw new ExpectationFailed(`unknown step ${JSON.stringify(step)}`);
        }
    }
}

function payload(step, kind) {
    if ('content' in step)
        return kind === 'text' ? step.content : Buffer.from(step.content, 'utf8');
    if ('hex' in step)
        return Buffer.from(step.hex, 'hex');
    return pattern(kind, step.size ?? 0);
}

function checkMessage(step, { data, isBinary }) {
    const wanted = step.expect;
    const got = messageEvent(data, isBinary);
    const problems = [];
    if (got.type !== wanted)
        problems.push(`type ${got.type} instead of ${wanted}`);
    if ('size' in step && got.size !== step.size)
        problems.push(`size ${got.size} instead of ${step.size}`);
    if ('sha256' in step && got.sha256 !== step.sha256.toLowerCase())
        problems.push('sha256 differs');
    if ('content' in step && !data.equals(Buffer.from(step.content, 'utf8')))
        problems.push('content differs');
    if ('hex' in step && !data.equals(Buffer.from(step.hex, 'hex')))
        problems.push('bytes differ');
    if (step.pattern && !data.equals(pattern(wanted, step.size ?? data.length)))
        problems.push('not the size pattern');
    if (problems.length)
        throw new ExpectationFailed(`expected ${wanted}: ${problems.join(', ')}`);
}

function checkClose(step, close) {
    if ('code' in step && close.code !== step.code)
        throw new ExpectationFailed(`close code ${close.code} instead of ${step.code}`);
    if ('reason' in step && close.reason !== step.reason)
        throw new ExpectationFailed(`close reason "${close.reason}" instead of "${step.reason}"`);
}

function openEvent(ws, path) {
    return {
        type: 'open',
        path,
        subprotocol: ws.protocol || null,
        compression: ws.extensions.includes('permessage-deflate'),
    };
}

function commonOptions(args) {
    let perMessageDeflate = args.compression === 'on';
    // --deflate-no-context-takeover: both directions without context takeover (RFC 7692
    // §7.1.1), requested by a client, declared by a server.
    if (perMessageDeflate && args['deflate-no-context-takeover'])
        perMessageDeflate = { serverNoContextTakeover: true, clientNoContextTakeover: true };
    return { perMessageDeflate, maxPayload: Number(args['max-size']) };
}

function serve(args) {
    let steps = loadScript(args.script);
    if (args.mode === 'close')
        steps = [{ close: Number(args['close-code']), reason: args['close-reason'] }];
    const timeout = Number(args.timeout);
    const supported = args.subprotocol ? args.subprotocol.split(',') : [];

    const server = args.cert
        ? https.createServer({
            cert: readFileSync(args.cert),
            key: readFileSync(args.key),
            // mutual TLS: with --ca, require a client certificate signed by it
            ...(args.ca ? { ca: readFileSync(args.ca), requestCert: true, rejectUnauthorized: true } : {}),
        })
        : http.createServer();
    const wss = new WebSocketServer({
        server,
        ...commonOptions(args),
        handleProtocols: (offered) => supported.find((p) => offered.has(p)) ?? false,
    });
    wss.on('connection', async (ws, request) => {
        emit(openEvent(ws, request.url));
        const session = new Session(ws, timeout, args.mode === 'echo');
        let ok = true;
        try {
            if (args.mode !== 'echo')
                await session.run(steps);
        } catch (error) {
            emit({ type: 'error', message: error.message });
            ok = false;
            ws.close(1000);
        }
        await session.closed;
        emit({ type: 'done', ok });
    });
    server.listen(Number(args.port), args.host, () => {
        process.stdout.write(`listening on ${server.address().port}\n`);
    });
}

async function connect(args) {
    const url = args.url;
    const options = { ...commonOptions(args), handshakeTimeout: Number(args.timeout) * 1000 };
    if (args.ca)
        options.ca = readFileSync(args.ca);
    if (args.cert) {
        options.cert = readFileSync(args.cert);
        options.key = readFileSync(args.key);
    }
    const protocols = args.subprotocol ? args.subprotocol.split(',') : [];
    const ws = new WebSocket(url, protocols, options);
    // ws may emit 'message' in the same tick as 'open': listen before awaiting anything.
    let session = null;
    const opened = await new Promise((resolve) => {
        ws.once('open', () => {
            emit(openEvent(ws, new URL(url).pathname + new URL(url).search));
            session = new Session(ws, Number(args.timeout), false);
            resolve(true);
        });
        ws.once('error', (error) => {
            if (session)
                return;
            emit({ type: 'error', message: `connect failed: ${error.message}` });
            resolve(false);
        });
    });
    if (!opened)
        return 1;
    try {
        await session.run(loadScript(args.script));
    } catch (error) {
        emit({ type: 'error', message: error.message });
        ws.close(1000);
        await session.closed;
        return 1;
    }
    return 0;
}

const { values: args, positionals } = (() => {
    try {
        return parseArgs({
            allowPositionals: true,
            options: {
                mode: { type: 'string', default: 'echo' },
                script: { type: 'string' },
                'close-code': { type: 'string', default: '1000' },
                'close-reason': { type: 'string', default: '' },
                host: { type: 'string', default: '127.0.0.1' },
                port: { type: 'string', default: '0' },
                subprotocol: { type: 'string' },
                compression: { type: 'string', default: 'off' },
                'deflate-no-context-takeover': { type: 'boolean', default: false },
                'max-size': { type: 'string', default: String(64 * 1024 * 1024) },
                timeout: { type: 'string', default: '10' },
                cert: { type: 'string' },
                key: { type: 'string' },
                ca: { type: 'string' },
            },
        });
    } catch (error) {
        fail(error.message);
    }
})();
const [role, url] = positionals;
if (!['echo', 'script', 'close'].includes(args.mode))
    fail(`unknown --mode ${args.mode}`);
if (!['on', 'off'].includes(args.compression))
    fail('--compression is on or off');
if (Boolean(args.cert) !== Boolean(args.key))
    fail('--cert and --key go together');
process.on('SIGTERM', () => process.exit(0));
if (role === 'server') {
    if (args.mode === 'script' && args.script === undefined)
        fail('--mode script needs --script');
    serve(args);
} else if (role === 'client' && url) {
    args.url = url;
    process.exit(await connect(args));
} else {
    fail('usage: node_peer.mjs server [options] | client URL [options]');
}

// Echo load generator for examples/echo-server (or any echo server), for docs/benchmarks.md.
//   node bench/echo-load.mjs ws://127.0.0.1:PORT/ [connections=10] [size=16] [seconds=5] [window=64]
// Each connection keeps `window` messages of `size` bytes in flight (pipelined: a new one goes out
// for each echo that comes back) and checks every echo's length. Prints messages/s and MiB/s.
// Uses the npm `ws` package installed by scripts/install-npm-deps.sh. Loopback only.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../tests/interop/node_modules/', import.meta.url));
const WebSocket = require('ws');

const [url, connections = '10', size = '16', seconds = '5', window = '64'] = process.argv.slice(2);
if (!url || !/^wss?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url)) {
  console.error('usage: node bench/echo-load.mjs ws://127.0.0.1:PORT/ [connections] [size] [seconds] [window]');
  process.exit(2);
}
const payload = Buffer.alloc(Number(size), 'x');
let echoed = 0, errors = 0, open = 0;
const sockets = [];
const deadline = Date.now() + Number(seconds) * 1000;

await new Promise((resolve) => {
  for (let i = 0; i < Number(connections); ++i) {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(ws);
    ws.on('open', () => {
      for (let k = 0; k < Number(window); ++k) ws.send(payload);
      if (++open === Number(connections)) resolve();
    });
    ws.on('message', (data) => {
      if (data.length !== payload.length) ++errors;
      ++echoed;
      if (Date.now() < deadline) ws.send(payload);
    });
    ws.on('error', (e) => { console.error(e.message); process.exit(1); });
  }
});
const started = Date.now();
echoed = 0;
await new Promise((resolve) => setTimeout(resolve, deadline - started));
const elapsed = (Date.now() - started) / 1000;
const rate = echoed / elapsed;
console.log(JSON.stringify({ connections: Number(connections), size: Number(size), seconds: elapsed,
  messagesPerSecond: Math.round(rate), mibPerSecond: +(rate * payload.length / 1048576).toFixed(1),
  badEchoes: errors }));
for (const ws of sockets) ws.close(1000);
setTimeout(() => process.exit(errors ? 1 : 0), 200);

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The forwarder's script, beside the socket it relays to, in a directory the sandbox is shown. */
export const FORWARDER_SCRIPT = 'forwarder.cjs';

/**
 * Runs inside the sandbox: listens on 127.0.0.1:PORT (0: any free port) and relays each
 * connection to a session's proxy through the bind-mounted unix socket; once it listens it
 * writes its port to READY. It decides nothing: a hostile agent that kills or replaces it only
 * loses its own way out.
 */
const FORWARDER_SOURCE = `'use strict';
const net = require('node:net');
const fs = require('node:fs');
const [socketPath, port, ready] = process.argv.slice(2);
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on('error', close);
  upstream.on('error', close);
  client.pipe(upstream);
  upstream.pipe(client);
});
server.listen(Number(port), '127.0.0.1', () => fs.writeFileSync(ready, String(server.address().port)));
`;

/** Puts the forwarder's script in `dir` (readable by the sandbox's user, whoever that is). */
export async function writeForwarder(dir: string): Promise<void> {
  await writeFile(join(dir, FORWARDER_SCRIPT), FORWARDER_SOURCE, { mode: 0o644 });
}

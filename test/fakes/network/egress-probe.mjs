#!/usr/bin/env node
// Tries to reach a server from inside the sandbox, the three ways a hostile agent would, and
// prints one JSON line per try: { how, target, ok, status?, body?, error? }.
//   direct   — a plain connection to host:port (the sandbox has no route out);
//   http     — an absolute-URL GET through $HTTP_PROXY;
//   connect  — a CONNECT tunnel through $HTTP_PROXY, then a GET inside it.
// Usage: egress-probe.mjs how host:port [how host:port …]
import { request } from 'node:http';
import { connect } from 'node:net';

const proxy = process.env.HTTP_PROXY ? new URL(process.env.HTTP_PROXY) : undefined;
const timeout = 5000;

function direct(target) {
  const [host, port] = target.split(/:(?=\d+$)/);
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port), timeout });
    socket.once('connect', () => {
      socket.end('GET /direct HTTP/1.0\r\n\r\n');
      let body = '';
      socket.on('data', (c) => (body += c));
      socket.once('close', () => resolve({ ok: true, body }));
    });
    socket.once('timeout', () => socket.destroy(new Error('timeout')));
    socket.once('error', (error) => resolve({ ok: false, error: error.code ?? error.message }));
  });
}

function viaHttp(target) {
  if (!proxy) return Promise.resolve({ ok: false, error: 'no HTTP_PROXY' });
  return new Promise((resolve) => {
    const req = request({ host: proxy.hostname, port: Number(proxy.port), path: `http://${target}/via-proxy`, timeout });
    req.once('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.once('end', () => resolve({ ok: res.statusCode === 200, status: res.statusCode, body }));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (error) => resolve({ ok: false, error: error.code ?? error.message }));
    req.end();
  });
}

function viaConnect(target) {
  if (!proxy) return Promise.resolve({ ok: false, error: 'no HTTP_PROXY' });
  return new Promise((resolve) => {
    const req = request({ host: proxy.hostname, port: Number(proxy.port), method: 'CONNECT', path: target, timeout });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        resolve({ ok: false, status: res.statusCode });
        return;
      }
      let body = '';
      socket.on('data', (c) => (body += c));
      socket.once('close', () => resolve({ ok: true, status: 200, body }));
      socket.write(`GET /tunnel HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`);
    });
    req.once('response', (res) => resolve({ ok: false, status: res.statusCode }));
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (error) => resolve({ ok: false, error: error.code ?? error.message }));
    req.end();
  });
}

const ways = { direct, http: viaHttp, connect: viaConnect };
const args = process.argv.slice(2);
for (let i = 0; i + 1 < args.length; i += 2) {
  const how = args[i];
  const target = args[i + 1];
  const result = await ways[how](target);
  process.stdout.write(`${JSON.stringify({ how, target, ...result })}\n`);
}

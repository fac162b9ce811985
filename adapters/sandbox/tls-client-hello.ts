/** What the first bytes of a CONNECT tunnel are, once enough of them arrived. */
export type TunnelStart = { kind: 'more' } | { kind: 'tls'; serverName?: string } | { kind: 'other' };

/** A ClientHello is a few KiB (post-quantum key shares included); past this it is not one. */
const MAX_HELLO = 64 * 1024;
const HANDSHAKE = 0x16;
const CLIENT_HELLO = 0x01;
const SERVER_NAME = 0x0000;

/**
 * Reads the TLS ClientHello a tunnel starts with (RFC 8446 §4.1.2, the record layer of §5.1:
 * a handshake message may span records) and its server name (RFC 6066 §3). `more` until the
 * whole message arrived; `other` for anything that is not a ClientHello or is malformed.
 */
export function readClientHello(bytes: Buffer): TunnelStart {
  if (bytes.length === 0) return { kind: 'more' };
  if (bytes[0] !== HANDSHAKE) return { kind: 'other' };
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    if (bytes.length < offset + 5) return bytes.length > MAX_HELLO ? { kind: 'other' } : { kind: 'more' };
    if (bytes[offset] !== HANDSHAKE || bytes[offset + 1] !== 0x03) return { kind: 'other' };
    const length = bytes.readUInt16BE(offset + 3);
    if (length === 0) return { kind: 'other' };
    if (bytes.length < offset + 5 + length) return bytes.length > MAX_HELLO ? { kind: 'other' } : { kind: 'more' };
    parts.push(bytes.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
    const handshake = Buffer.concat(parts);
    if (handshake.length < 4) continue;
    if (handshake[0] !== CLIENT_HELLO) return { kind: 'other' };
    const size = handshake.readUIntBE(1, 3);
    if (size > MAX_HELLO) return { kind: 'other' };
    if (handshake.length < 4 + size) continue;
    try {
      const serverName = serverNameOf(handshake.subarray(4, 4 + size));
      return serverName === undefined ? { kind: 'tls' } : { kind: 'tls', serverName };
    } catch {
      return { kind: 'other' };
    }
  }
}

/** The host_name of the server_name extension, if the hello carries one; throws when malformed. */
function serverNameOf(hello: Buffer): string | undefined {
  let at = 2 + 32; // legacy_version, random
  const skip = (lengthBytes: number) => {
    const length = read(lengthBytes);
    at += length;
    if (at > hello.length) throw new Error('truncated');
  };
  const read = (n: number) => {
    if (at + n > hello.length) throw new Error('truncated');
    const value = hello.readUIntBE(at, n);
    at += n;
    return value;
  };
  skip(1); // legacy_session_id
  skip(2); // cipher_suites
  skip(1); // legacy_compression_methods
  if (at === hello.length) return undefined; // no extensions
  const end = at + 2 + read(2);
  if (end > hello.length) throw new Error('truncated');
  while (at < end) {
    const type = read(2);
    const length = read(2);
    if (at + length > end) throw new Error('truncated');
    if (type !== SERVER_NAME) {
      at += length;
      continue;
    }
    const listEnd = at + 2 + read(2);
    while (at < listEnd) {
      const nameType = read(1);
      const nameLength = read(2);
      if (at + nameLength > listEnd) throw new Error('truncated');
      const name = hello.subarray(at, at + nameLength).toString('latin1');
      at += nameLength;
      if (nameType === 0) return name;
    }
    return undefined;
  }
  return undefined;
}

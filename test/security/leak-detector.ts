/**
 * The forms a secret can take in text an attacker reads: plain, split across lines, hex,
 * URL-encoded, and base64 / base64url at each of the three byte alignments (the part of the
 * encoding that does not depend on the bytes around it). Independent of the redaction code
 * on purpose, so a test does not check the redactor against itself.
 */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const forms = new Set<string>([secret, bytes.toString('hex'), bytes.toString('hex').toUpperCase(), encodeURIComponent(secret)]);
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const full = Math.floor(padded.length / 3) * 4;
    const core = padded.toString('base64').slice(offset === 0 ? 0 : 4, full);
    if (core.length >= 8) {
      forms.add(core);
      forms.add(core.replaceAll('+', '-').replaceAll('/', '_'));
    }
  }
  return [...forms];
}

/** The text's bytes as hex pairs between spaces, each `%XX` (or `%25XX`, escaped twice) read as the byte it escapes. */
function unescapedBytes(text: string): string {
  const pairs: string[] = [];
  for (const part of text.split(/(%(?:25)?[0-9a-fA-F]{2})/)) {
    if (/^%(?:25)?[0-9a-fA-F]{2}$/.test(part)) pairs.push(part.slice(-2).toLowerCase());
    else for (const byte of Buffer.from(part)) pairs.push(byte.toString(16).padStart(2, '0'));
  }
  return ` ${pairs.join(' ')} `;
}

/** Which of `secrets` appear in `text` in any of their forms (whitespace ignored too). */
export function leakedIn(text: string, secrets: readonly string[]): string[] {
  const squeezed = text.replace(/\s+/g, '');
  // A hex dump's or a C array's bytes (`73 6b`, `73:6b`, `0x73, 0x6b`, `\x73\x6b`) without what is between them.
  const hexDump = text.toLowerCase().replace(/0x|\\+x|[\s:,.-]/g, '');
  const bytes = text.includes('%') ? unescapedBytes(text) : '';
  return secrets.filter(
    (s) =>
      secretForms(s).some((f) => text.includes(f) || squeezed.includes(f)) ||
      hexDump.includes(Buffer.from(s).toString('hex')) ||
      (bytes !== '' && bytes.includes(` ${[...Buffer.from(s)].map((b) => b.toString(16).padStart(2, '0')).join(' ')} `)),
  );
}

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

/** Which of `secrets` appear in `text` in any of their forms (whitespace ignored too). */
export function leakedIn(text: string, secrets: readonly string[]): string[] {
  const squeezed = text.replace(/\s+/g, '');
  return secrets.filter((s) => secretForms(s).some((f) => text.includes(f) || squeezed.includes(f)));
}

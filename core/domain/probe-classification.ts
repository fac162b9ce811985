/**
 * Probe classification (platform-admin-operations.txt, "security view and classification
 * groups (script, command, SQL, template, path, fuzz)"): what an unsolicited body or parameter
 * looks like it tries. Pure and bounded: only the first PROBE_SCAN_LIMIT characters are looked
 * at, and every pattern is linear (no nested quantifiers), so a hostile input costs little.
 */

export const PROBE_CLASSES = ['script', 'command', 'SQL', 'template', 'path', 'fuzz'] as const;
export type ProbeClass = (typeof PROBE_CLASSES)[number];

export const PROBE_SCAN_LIMIT = 4096;

const RULES: readonly { kind: ProbeClass; pattern: RegExp }[] = [
  { kind: 'script', pattern: /<\s*\/?\s*(script|iframe|svg|img|object|embed)\b|javascript\s*:|\bon(error|load|mouseover)\s*=/i },
  { kind: 'template', pattern: /\{\{[^}]{0,200}\}\}|\$\{[^}]{0,200}\}|<%[^%]{0,200}%>|#\{[^}]{0,200}\}|\{%[^%]{0,200}%\}/ },
  {
    kind: 'SQL',
    pattern:
      /('|"|\b)\s*(or|and)\s+['"]?\d+['"]?\s*=\s*['"]?\d+|\bunion\s+(all\s+)?select\b|;\s*(drop|delete|insert|update)\s+|\bsleep\s*\(\s*\d+\s*\)|\bwaitfor\s+delay\b|'\s*--|\binformation_schema\b/i,
  },
  {
    kind: 'command',
    pattern:
      /[;&|`]\s*(cat|ls|id|whoami|uname|wget|curl|nc|bash|sh|powershell|cmd)\b|\$\((\s*)(cat|id|whoami|uname|curl|wget)\b|\/bin\/(ba)?sh\b|\bcmd\.exe\b/i,
  },
  {
    kind: 'path',
    pattern:
      /(\.\.(\/|\\|%2f|%5c)){2,}|%2e%2e(%2f|\/)|\/etc\/(passwd|shadow|hosts)\b|\bwin\.ini\b|\/proc\/self\/|\.(env|git\/config|htaccess)\b|\bwp-(admin|login|config)\b|\bphpmyadmin\b/i,
  },
];

/** A C0 control character other than tab, line feed, vertical tab, form feed and carriage return. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && (code < 0x09 || code > 0x0d)) return true;
  }
  return false;
}

/** The longest run of one repeated character (a loop: the backreference pattern cost 50 µs per 4 KiB). */
function longestRun(text: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = i > 0 && text.charCodeAt(i) === text.charCodeAt(i - 1) ? run + 1 : 1;
    if (run > longest) longest = run;
  }
  return longest;
}

/** Runs of odd bytes: control characters, replacement characters, long runs of one character. */
function looksLikeFuzz(text: string): boolean {
  if (hasControlCharacter(text) || text.includes('\ufffd')) return true;
  if (longestRun(text) >= 256) return true;
  if (/%[0-9a-f]{2}/i.test(text)) {
    const escapes = text.match(/%[0-9a-f]{2}/gi)?.length ?? 0;
    if (escapes >= 24 && escapes * 3 >= text.length * 0.6) return true;
  }
  return false;
}

/** The class of the first rule that matches, or undefined for ordinary text. */
export function classifyProbe(input: string): ProbeClass | undefined {
  if (typeof input !== 'string' || input.length === 0) return undefined;
  const text = input.length > PROBE_SCAN_LIMIT ? input.slice(0, PROBE_SCAN_LIMIT) : input;
  for (const rule of RULES) if (rule.pattern.test(text)) return rule.kind;
  return looksLikeFuzz(text) ? 'fuzz' : undefined;
}

/**
 * Redaction of secret values in every form they can leave in: plain, JSON-escaped (once and
 * twice), URL-encoded (any of its characters percent-escaped, once or twice), hex (also with a
 * separator or a `0x` / `\x` prefix per byte, as a hex dump or a C array writes it), and base64
 * / base64url at each of the three byte alignments, each also when split across lines (a log
 * excerpt, a PEM block, a wrapped base64 dump). Pure: the one function every outlet (comments,
 * step outputs, logs, SSE) redacts with.
 */

export const REDACTED = '[REDACTED]';
/** Shorter values are not redacted: they would blank out ordinary words and numbers. */
export const MIN_REDACTED_LENGTH = 4;
/** A base64 core shorter than this would match ordinary text too often. */
const MIN_ENCODED_LENGTH = 6;
const BASE64_CHAR = /[A-Za-z0-9+/=_-]/;
/** Between two characters of a form: any line breaks, raw or JSON-escaped. */
const BREAKS = '(?:\\r|\\n|\\\\r|\\\\n)*';

/** Between two bytes of a hex form: separators and per-byte prefixes (`73 6b`, `73:6b`, `0x73, 0x6b`, `\x73\x6b`). */
const HEX_SEPARATORS = '(?:[\\s:,]|0x|\\\\+x|\\\\[rn])*';
/** A percent-escape: without one, a percent form can only match where the plain form does. */
const PERCENT_ESCAPE = /%[0-9a-f]{2}/i;

interface Form {
  text: string;
  /** Hex digits and percent-escapes may be written in either case. */
  anyCase?: boolean;
  /** A base64 core: the partial groups around it (a byte or two of the secret) go too. */
  base64?: boolean;
  /**
   * A pattern of its own rather than `text` character by character, with what a text must
   * hold for it to match: a `%` (some characters percent-escaped), or `text` (hex digits)
   * once everything but hex digits is taken out. Its matches are at least `minLength` long.
   */
  pattern?: {
    source: string;
    needs: 'percent' | 'hexDigits';
    minLength: number;
    flags: string;
    literal?: string;
    /** Bytes of the value in hex: each occurs whole in any text that holds the form (a cheaper first check). */
    probes?: string[];
  };
}

const bytesOf = (text: string) => new TextEncoder().encode(text);

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The base64 of the value wherever it sits in a larger text: at byte offset 0, 1 or 2 of a
 * three-byte group the encoding differs, but the characters that encode only the value's own
 * bytes are fixed for each offset. Those three cores, in both alphabets.
 */
function base64Cores(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const full = Math.floor(padded.length / 3) * 4;
    const core = base64(padded).slice(offset === 0 ? 0 : 4, full);
    if (core.length >= MIN_ENCODED_LENGTH) out.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return out;
}

function formsOf(value: string): Form[] {
  // Line breaks are matched between any two characters, so the value is looked for without its own.
  const flat = value.replace(/[\r\n]+/g, '');
  const bytes = bytesOf(value);
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  const once = JSON.stringify(value).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  const forms: Form[] = [
    { text: flat },
    { text: once },
    { text: twice },
    { text: encodeURIComponent(value), anyCase: true },
    { text: new URLSearchParams({ v: value }).toString().slice(2), anyCase: true },
    { text: hex, anyCase: true },
    ...base64Cores(bytes).map((text) => ({ text, base64: true })),
  ];
  if (flat !== value) forms.push(...base64Cores(bytesOf(flat)).map((text) => ({ text, base64: true })));
  // A hex dump shows a value's line breaks as bytes (0a): the value's own bytes, and without its breaks.
  forms.push(percentForm(flat), separatedHexForm(bytes), separatedHexForm(bytesOf(flat)));
  const seen = new Set<string>();
  return forms.filter(
    (f) => (f.pattern?.minLength ?? f.text.length) >= MIN_REDACTED_LENGTH && !seen.has(f.text) && seen.add(f.text),
  );
}

/** A hex digit as a class of both its cases. */
const hexDigitClass = (digit: string) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit);
const byteHex = (byte: number) => [...byte.toString(16).padStart(2, '0')].map(hexDigitClass).join('');

/**
 * The value with any of its characters percent-escaped (encodeURI, encodeURIComponent, a form
 * body's `+` for a space, every byte escaped, or an escape escaped again as `%25..`).
 */
function percentForm(flat: string): Form {
  const chars = [...flat].map((c) => {
    const bytes = [...bytesOf(c)];
    const once = bytes.map((b) => `%${byteHex(b)}`).join('');
    const twice = bytes.map((b) => `%25${byteHex(b)}`).join('');
    return `(?:${escapeChar(c)}|${once}|${twice}${c === ' ' ? '|\\+' : ''})`;
  });
  return { text: `%:${flat}`, pattern: { source: chars.join(BREAKS), needs: 'percent', minLength: chars.length, flags: 'g' } };
}

/** The value's bytes in hex, any case, with separators or prefixes between them. */
function separatedHexForm(bytes: Uint8Array): Form {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
  const source = hex.map((h) => [...h].join('')).join(HEX_SEPARATORS);
  const literal = hex.join('');
  const probes = [...new Set([hex[0], hex[1], hex[Math.floor(hex.length / 2)], hex.at(-1)])].filter((p) => p !== undefined);
  return {
    text: `hex:${literal}`,
    pattern: { source, needs: 'hexDigits', minLength: literal.length, flags: 'gi', literal, probes },
  };
}

const escapeChar = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** A form as a pattern that tolerates line breaks between its characters. */
function patternOf(form: Form): RegExp {
  if (form.pattern) return new RegExp(form.pattern.source, form.pattern.flags);
  const chars = [...form.text].map(escapeChar).join(BREAKS);
  return new RegExp(chars, form.anyCase ? 'gi' : 'g');
}

interface CompiledForm {
  /** Built at the first text that may hold the form: most forms never need one. */
  pattern(): RegExp;
  base64: boolean;
  /** The form's text, lower-cased when its case does not matter: what the quick check looks for. */
  literal: string;
  anyCase: boolean;
  /** What a text must hold for a form with a pattern of its own (Form.pattern). */
  needs: 'percent' | 'hexDigits' | undefined;
  probes: readonly string[];
  /**
   * The form's length: a match is at least this long (breaks only add to it, and a form written
   * in either case is ASCII), so a shorter text cannot hold the form.
   */
  length: number;
}

/** Patterns per value, kept: the same few secrets are redacted from every line. */
const compiled = new Map<string, CompiledForm[]>();
function patternsFor(value: string): CompiledForm[] {
  let patterns = compiled.get(value);
  if (!patterns) {
    patterns = formsOf(value).map((form) => {
      let pattern: RegExp | undefined;
      return {
        pattern: () => (pattern ??= patternOf(form)),
        base64: form.base64 === true,
        literal: form.pattern ? (form.pattern.literal ?? '') : form.anyCase ? form.text.toLowerCase() : form.text,
        anyCase: form.anyCase === true,
        needs: form.pattern?.needs,
        probes: form.pattern?.probes ?? [],
        length: form.pattern?.minLength ?? form.text.length,
      };
    });
    if (compiled.size >= 500) compiled.clear();
    compiled.set(value, patterns);
  }
  return patterns;
}

const NO_FORMS: readonly CompiledForm[] = [];

/**
 * The forms that may occur in `text`, told apart without the patterns where that is exact: in
 * a text without a backslash the escaped breaks cannot occur, so a pattern matches exactly
 * where its form's text occurs once raw line breaks are taken out (no form holds one). A form
 * written in either case is ASCII, which only ASCII letters match case-insensitively. A text
 * with a backslash keeps every form it is long enough for. `forms` are shortest first.
 */
function formsThatMayOccur(text: string, forms: readonly CompiledForm[]): readonly CompiledForm[] {
  if (forms.length === 0 || (forms[0] as CompiledForm).length > text.length) return NO_FORMS;
  const escaped = text.includes('\\');
  const flat = escaped || !/[\r\n]/.test(text) ? text : text.replace(/[\r\n]+/g, '');
  let lower: string | undefined;
  let digits: string | undefined;
  let escapes: boolean | undefined;
  let out: CompiledForm[] | undefined;
  for (const form of forms) {
    if (form.length > text.length) break;
    if (form.needs === 'percent') {
      // Without an escape only the value's own characters match, which its plain form finds.
      escapes ??= text.includes('%') && PERCENT_ESCAPE.test(text);
      if (!escapes) continue;
    } else if (form.needs === 'hexDigits') {
      lower ??= flat.toLowerCase();
      if (!form.probes.every((probe) => (lower as string).includes(probe))) continue;
      digits ??= hexDigitsOf(lower);
      if (!digits.includes(form.literal)) continue;
    } else if (!escaped) {
      if (form.anyCase) lower ??= flat.toLowerCase();
      if (!(form.anyCase ? (lower as string) : flat).includes(form.literal)) continue;
    }
    out ??= [];
    out.push(form);
  }
  return out ?? NO_FORMS;
}

/** What hexDigitsOf takes out: anything but a hex digit, and a `0x` prefix whole. */
const NOT_HEX_DIGITS = /0x|[^0-9a-f]+/g;

/**
 * The hex digits of a lower-cased text, in order, without anything else: every separated hex
 * form that matches the text has its digits in this string.
 */
function hexDigitsOf(lower: string): string {
  return lower.replace(NOT_HEX_DIGITS, '');
}

/** The distinct values worth redacting, with their trimmed forms. */
function valuesOf(secretValues: readonly string[]): string[] {
  const values = new Set<string>();
  for (const value of secretValues) {
    if (typeof value !== 'string') continue;
    if (value.length >= MIN_REDACTED_LENGTH) values.add(value);
    const trimmed = value.trim();
    if (trimmed.length >= MIN_REDACTED_LENGTH) values.add(trimmed);
  }
  return [...values];
}

/**
 * Replaces every occurrence of every secret value (of at least 4 characters), in any of its
 * forms, with `marker`. Every character covered by any occurrence is hidden and each maximal
 * covered run becomes one marker, so overlapping or nested secrets leave no fragment behind
 * and a replacement is never itself searched again. A value with surrounding whitespace is
 * also redacted in its trimmed form.
 */
export function redactSecrets(text: string, secretValues: readonly string[], marker = REDACTED): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  return redactForms(text, formsFor(secretValues), marker);
}

/** Form lists of frozen secret lists (a run's, handed out again while it is unchanged), by identity. */
const formsOfList = new WeakMap<readonly string[], readonly CompiledForm[]>();
/** Form lists by the values they were made from: callers that build the same list for each line. */
const formsOfValues = new Map<string, readonly CompiledForm[]>();

/** The values of a list as one key (each prefixed by its length, so no two lists share one), if all are strings. */
function keyOf(secretValues: readonly string[]): string | undefined {
  let key = '';
  for (const value of secretValues) {
    if (typeof value !== 'string') return undefined;
    key += `${value.length}:${value}`;
  }
  return key;
}

/**
 * The compiled forms of every value worth redacting, shortest first; made once per distinct
 * list (sorting and compiling them cost more than checking a small text).
 */
function formsFor(secretValues: readonly string[]): readonly CompiledForm[] {
  const frozen = Object.isFrozen(secretValues);
  let forms = frozen ? formsOfList.get(secretValues) : undefined;
  if (forms) return forms;
  const key = keyOf(secretValues);
  forms = key === undefined ? undefined : formsOfValues.get(key);
  if (!forms) {
    forms = valuesOf(secretValues)
      .flatMap(patternsFor)
      .sort((a, b) => a.length - b.length);
    if (key !== undefined) {
      if (formsOfValues.size >= 100) formsOfValues.clear();
      formsOfValues.set(key, forms);
    }
  }
  if (frozen) formsOfList.set(secretValues, forms);
  return forms;
}

function redactForms(text: string, forms: readonly CompiledForm[], marker: string): string {
  if (forms.length === 0 || text.length === 0) return text;
  const candidates = formsThatMayOccur(text, forms);
  if (candidates.length === 0) return text;

  const covered = new Uint8Array(text.length);
  let any = false;
  for (const form of candidates) {
    // exec on the kept pattern, not matchAll: matchAll clones the pattern on every call, and
    // a clone starts again in the slow regexp interpreter.
    const pattern = form.pattern();
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      let start = match.index;
      let end = start + match[0].length;
      if (form.base64) {
        // The partial groups at either end hold a byte or two of the value as well.
        for (let n = 0; n < 4 && start > 0 && BASE64_CHAR.test(text[start - 1] ?? ''); n++) start--;
        for (let n = 0; n < 4 && end < text.length && BASE64_CHAR.test(text[end] ?? ''); n++) end++;
      }
      covered.fill(1, start, end);
      any = true;
    }
  }
  if (!any) return text;

  let out = '';
  let i = 0;
  while (i < text.length) {
    if (covered[i]) {
      while (i < text.length && covered[i]) i++;
      out += marker;
    } else {
      const start = i;
      while (i < text.length && !covered[i]) i++;
      out += text.slice(start, i);
    }
  }
  return out;
}

/**
 * How deep `redactDeep` walks: anything nested deeper goes on as its JSON text, redacted as
 * text, so that no secret passes below the walk and nothing too deep for a store to write
 * (JSON.stringify runs out of stack at some thousands of levels) goes on as a structure.
 */
const MAX_DEPTH = 20;
/** What stands for a value nested too deeply even to write as JSON text. */
export const TOO_DEEP = '(nested too deeply to keep)';

/** A value below MAX_DEPTH as its JSON text, or TOO_DEEP when it cannot be written. */
function deepText(value: object): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return TOO_DEEP;
  }
}

/**
 * `redactSecrets` over every string inside a structured value (keys included), before it is
 * serialised: a value with `"`, `\` or line breaks is matched as itself, not as its escaping.
 * Returns a copy (plain objects and arrays). The forms are first looked for in all its strings
 * at once (a form found in one string is found in their concatenation); only those found there
 * are looked for string by string, so a value without a secret costs one check.
 */
export function redactDeep(value: unknown, secrets: readonly string[], marker = REDACTED): unknown {
  const forms = formsFor(secrets);
  return redactDeepWith(value, forms.length === 0 ? forms : formsThatMayOccur(textsOf(value, 0), forms), marker, 0);
}

/** Every string `redactDeepWith` redacts in `value` (keys included), one after the other. */
function textsOf(value: unknown, depth: number): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return '';
  if (depth > MAX_DEPTH) return deepText(value);
  let out = '';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) out += textsOf(value[i], depth + 1);
    return out;
  }
  for (const key of Object.keys(value)) out += key + textsOf((value as Record<string, unknown>)[key], depth + 1);
  return out;
}

function redactDeepWith(value: unknown, forms: readonly CompiledForm[], marker: string, depth: number): unknown {
  if (typeof value === 'string') return redactForms(value, forms, marker);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return redactForms(deepText(value), forms, marker);
  if (Array.isArray(value)) return value.map((v) => redactDeepWith(v, forms, marker, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const redacted = redactForms(key, forms, marker);
    const inner = redactDeepWith((value as Record<string, unknown>)[key], forms, marker, depth + 1);
    // An own `__proto__` stays a field of the copy (as Object.fromEntries would make it), never its prototype.
    if (redacted === '__proto__')
      Object.defineProperty(out, redacted, { value: inner, enumerable: true, writable: true, configurable: true });
    else out[redacted] = inner;
  }
  return out;
}

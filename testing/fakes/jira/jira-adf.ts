/**
 * Atlassian Document Format as the fake Jira checks it: REST v3 takes comment bodies only as an
 * ADF document, and rejects a plain string or a malformed node the way Jira does.
 */

export interface AdfNode {
  type: string;
  text?: string;
  content?: AdfNode[];
  attrs?: Record<string, unknown>;
  marks?: { type: string }[];
  version?: number;
}

const BLOCKS = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'listItem',
  'codeBlock',
  'blockquote',
  'rule',
  'panel',
]);
const INLINES = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkNode(node: unknown, inline: boolean): boolean {
  if (!isObject(node) || typeof node.type !== 'string') return false;
  const allowed = inline ? INLINES : BLOCKS;
  if (!allowed.has(node.type)) return false;
  if (node.type === 'text') return typeof node.text === 'string' && node.text.length > 0;
  if (node.content === undefined) return true;
  if (!Array.isArray(node.content)) return false;
  const childrenInline = node.type === 'paragraph' || node.type === 'heading' || node.type === 'codeBlock';
  return node.content.every((child) => checkNode(child, childrenInline));
}

/** True when `body` is an ADF document Jira would store. */
export function isAdfDocument(body: unknown): body is AdfNode {
  return (
    isObject(body) &&
    body.type === 'doc' &&
    body.version === 1 &&
    Array.isArray(body.content) &&
    body.content.every((node) => checkNode(node, false))
  );
}

/** The plain text of a document: blocks separated by a blank line, hard breaks as newlines. */
export function adfToText(doc: AdfNode): string {
  const inline = (node: AdfNode): string =>
    node.type === 'text' ? (node.text ?? '') : node.type === 'hardBreak' ? '\n' : (node.content ?? []).map(inline).join('');
  return (doc.content ?? []).map(inline).join('\n\n');
}

/**
 * Comment text as an Atlassian Document Format document (REST v3 accepts nothing else). The
 * text is kept as written, not read as Markdown: a blank line starts a new paragraph, a single
 * newline is a hard break, so the text reads back unchanged. ADF forbids empty text nodes, so
 * empty lines become breaks alone.
 */

export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfParagraph[];
}

interface AdfParagraph {
  type: 'paragraph';
  content: ({ type: 'text'; text: string } | { type: 'hardBreak' })[];
}

export function textToAdf(text: string): AdfDocument {
  const paragraphs = text.split('\n\n').map((block): AdfParagraph => {
    const content: AdfParagraph['content'] = [];
    block.split('\n').forEach((line, i) => {
      if (i > 0) content.push({ type: 'hardBreak' });
      if (line) content.push({ type: 'text', text: line });
    });
    return { type: 'paragraph', content };
  });
  return { type: 'doc', version: 1, content: paragraphs };
}

/** The text of a stored document, read back the way `textToAdf` writes it. */
export function adfToText(doc: unknown): string {
  const inline = (node: unknown): string => {
    if (typeof node !== 'object' || node === null) return '';
    const n = node as { type?: unknown; text?: unknown; content?: unknown };
    if (n.type === 'text') return typeof n.text === 'string' ? n.text : '';
    if (n.type === 'hardBreak') return '\n';
    return Array.isArray(n.content) ? n.content.map(inline).join('') : '';
  };
  const blocks = (doc as { content?: unknown } | null)?.content;
  return Array.isArray(blocks) ? blocks.map(inline).join('\n\n') : '';
}

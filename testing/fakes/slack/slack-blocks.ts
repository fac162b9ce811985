/**
 * Slack's documented rules for the message payload of an incoming webhook (api.slack.com
 * "Sending messages using incoming webhooks", and the Block Kit reference for the blocks used
 * by notifications: header, section, actions with buttons, context, divider). A payload Slack
 * would refuse is refused here with the same `invalid_blocks`/`no_text` answers.
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const TEXT_TYPES = new Set(['plain_text', 'mrkdwn']);

function textObject(v: unknown, where: string, max: number, only?: 'plain_text'): string | undefined {
  if (!isObject(v)) return `${where} must be a text object`;
  if (typeof v.type !== 'string' || !TEXT_TYPES.has(v.type)) return `${where}.type must be plain_text or mrkdwn`;
  if (only && v.type !== only) return `${where} must be plain_text`;
  if (typeof v.text !== 'string' || v.text.length === 0) return `${where}.text must be a non-empty string`;
  if (v.text.length > max) return `${where}.text is longer than ${max}`;
  if ('emoji' in v && v.type !== 'plain_text') return `${where}.emoji is only for plain_text`;
  return undefined;
}

function button(v: unknown, where: string): string | undefined {
  if (!isObject(v) || v.type !== 'button') return `${where} must be a button`;
  const text = textObject(v.text, `${where}.text`, 75, 'plain_text');
  if (text) return text;
  if (v.url !== undefined && (typeof v.url !== 'string' || v.url.length > 3000 || !/^https?:\/\//.test(v.url)))
    return `${where}.url must be an http(s) URL of at most 3000 characters`;
  if (v.action_id !== undefined && (typeof v.action_id !== 'string' || v.action_id.length > 255))
    return `${where}.action_id must be a string of at most 255 characters`;
  return undefined;
}

function block(v: unknown, i: number): string | undefined {
  const where = `blocks[${i}]`;
  if (!isObject(v) || typeof v.type !== 'string') return `${where} must be an object with a type`;
  if (v.block_id !== undefined && (typeof v.block_id !== 'string' || v.block_id.length > 255)) return `${where}.block_id`;
  switch (v.type) {
    case 'header':
      return textObject(v.text, `${where}.text`, 150, 'plain_text');
    case 'section': {
      if (v.text === undefined && v.fields === undefined) return `${where} needs text or fields`;
      if (v.text !== undefined) {
        const problem = textObject(v.text, `${where}.text`, 3000);
        if (problem) return problem;
      }
      if (v.fields !== undefined) {
        if (!Array.isArray(v.fields) || v.fields.length === 0 || v.fields.length > 10) return `${where}.fields must hold 1–10`;
        for (const [k, f] of v.fields.entries()) {
          const problem = textObject(f, `${where}.fields[${k}]`, 2000);
          if (problem) return problem;
        }
      }
      return undefined;
    }
    case 'actions': {
      if (!Array.isArray(v.elements) || v.elements.length === 0 || v.elements.length > 25)
        return `${where}.elements must hold 1–25`;
      for (const [k, e] of v.elements.entries()) {
        const problem = button(e, `${where}.elements[${k}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'context': {
      if (!Array.isArray(v.elements) || v.elements.length === 0 || v.elements.length > 10)
        return `${where}.elements must hold 1–10`;
      for (const [k, e] of v.elements.entries()) {
        const problem = textObject(e, `${where}.elements[${k}]`, 3000);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'divider':
      return undefined;
    default:
      return `${where}.type ${v.type} is not a block this fake knows`;
  }
}

/** undefined when Slack would take the payload; otherwise Slack's error code and what is wrong. */
export function checkSlackPayload(
  payload: unknown,
): { error: 'invalid_payload' | 'no_text' | 'invalid_blocks'; why: string } | undefined {
  if (!isObject(payload)) return { error: 'invalid_payload', why: 'the body is not a JSON object' };
  const hasText = typeof payload.text === 'string' && payload.text.length > 0;
  if (payload.blocks === undefined) return hasText ? undefined : { error: 'no_text', why: 'neither text nor blocks' };
  if (!Array.isArray(payload.blocks) || payload.blocks.length === 0 || payload.blocks.length > 50)
    return { error: 'invalid_blocks', why: 'blocks must hold 1–50 blocks' };
  for (const [i, b] of payload.blocks.entries()) {
    const problem = block(b, i);
    if (problem) return { error: 'invalid_blocks', why: problem };
  }
  return undefined;
}

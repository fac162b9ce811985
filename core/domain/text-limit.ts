/**
 * `text` as it is when it has at most `max` characters; else its head and a note of how much was
 * left out, `max` characters in all, never cutting a surrogate pair in two.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = (left: number) => `\n\n… (${left} more characters not shown)`;
  // Sized for the whole length's note, then for what that leaves out (as many digits or fewer).
  let head = Math.max(0, max - note(text.length - Math.max(0, max - note(text.length).length)).length);
  const code = text.charCodeAt(head - 1);
  if (code >= 0xd800 && code <= 0xdbff) head--;
  return `${text.slice(0, head)}${note(text.length - head)}`;
}

import { z } from 'zod';

/** A percent-encoded path segment as text; one that does not decode stays as it came. */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A path parameter (h3 hands them over still encoded). */
export const pathParam = (description: string) => z.string().transform(safeDecode).describe(description);

/** A static file under a page's assets/, possibly several segments deep (the asset table resolves it safely). */
export const assetPathParams = z.object({
  path: z.string().describe('The file under assets/ (may span several segments)'),
});

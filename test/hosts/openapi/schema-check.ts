/**
 * Just enough JSON Schema (the OpenAPI 3.0 subset the document uses: type, nullable, enum,
 * properties, required, additionalProperties, items, oneOf, minimum, maximum, $ref) to check an
 * answer against its documented schema. Returns the mismatches as `path: problem`.
 */
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOk(type: unknown, value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}

export function checkValue(doc: Json, schema: unknown, value: unknown, at = '$'): string[] {
  if (!isObject(schema)) return [];
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return checkValue(doc, (doc.components as { schemas: Json }).schemas[name], value, at);
  }
  if (value === null) return schema.nullable === true || schema.type === undefined ? [] : [`${at}: null is not allowed`];
  if (Array.isArray(schema.oneOf)) {
    const fits = schema.oneOf.filter((s) => checkValue(doc, s, value, at).length === 0).length;
    return fits === 1 ? [] : [`${at}: matches ${fits} of the oneOf schemas`];
  }
  if (!typeOk(schema.type, value)) return [`${at}: ${JSON.stringify(value)?.slice(0, 80)} is not ${String(schema.type)}`];
  const problems: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    problems.push(`${at}: ${String(value)} not in ${schema.enum.join('|')}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${at}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) problems.push(...checkValue(doc, schema.items, item, `${at}[${i}]`));
  }
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    for (const key of Array.isArray(schema.required) ? schema.required : []) {
      if (!(String(key) in value)) problems.push(`${at}: ${String(key)} is required`);
    }
    for (const [key, v] of Object.entries(value)) {
      if (key in properties) problems.push(...checkValue(doc, properties[key], v, `${at}.${key}`));
      else if (isObject(schema.additionalProperties))
        problems.push(...checkValue(doc, schema.additionalProperties, v, `${at}.${key}`));
    }
  }
  return problems;
}

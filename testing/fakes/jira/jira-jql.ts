/**
 * A small JQL parser for the fake Jira: enough of the grammar that the adapter and an operator's
 * mapping clause use (AND/OR/NOT, parentheses, `=`, `!=`, `IN`, `NOT IN`, `IS [NOT] EMPTY`, `~`,
 * comparisons, quoted field names such as `"Repo[Select List (single choice)]"`, `cf[10050]`,
 * functions, ORDER BY). Anything else fails with the message Jira gives for it, so a query the
 * real service would reject is rejected here too.
 */

export type Operand =
  | { kind: 'value'; value: string; quoted: boolean }
  | { kind: 'list'; values: { value: string; quoted: boolean }[] }
  | { kind: 'empty' }
  | { kind: 'function'; name: string; args: string[] };

export type JqlNode =
  | { kind: 'and' | 'or'; clauses: JqlNode[] }
  | { kind: 'not'; clause: JqlNode }
  | { kind: 'term'; field: string; operator: string; operand: Operand };

export interface JqlQuery {
  where?: JqlNode;
  orderBy: { field: string; direction: 'asc' | 'desc' }[];
}

export class JqlSyntaxError extends Error {}

interface Token {
  type: 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma';
  text: string;
  /** 1-based character position, as Jira reports it. */
  at: number;
}

const VALID_OPERATORS = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";
const RESERVED = new Set(['+', '.', ';', '?', '|', '*', '/', '%', '^', '$', '#', '@', '[', ']', '&', '{', '}']);

const fail = (message: string, at?: number): never => {
  throw new JqlSyntaxError(`Error in the JQL Query: ${message}${at === undefined ? '' : ` (line 1, character ${at})`}`);
};

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, at: i + 1 });
      i++;
    } else if (c === '"' || c === "'") {
      const start = i;
      let text = '';
      i++;
      while (i < jql.length && jql[i] !== c) {
        if (jql[i] === '\\' && i + 1 < jql.length) i++;
        text += jql[i];
        i++;
      }
      if (i >= jql.length) fail(`The quoted string '${jql.slice(start + 1)}' has not been completed.`, start + 1);
      tokens.push({ type: 'string', text, at: start + 1 });
      i++;
    } else if ('=!<>~'.includes(c)) {
      const two = jql.slice(i, i + 2);
      const op = ['!=', '<=', '>=', '!~'].includes(two) ? two : c;
      if (op === '!')
        fail(
          `The character '!' is a reserved JQL character. You must enclose it in a string or use the escape '\\u0021' instead.`,
          i + 1,
        );
      tokens.push({ type: 'op', text: op, at: i + 1 });
      i += op.length;
    } else {
      const start = i;
      const cf = /^cf\[\d+\]/i.exec(jql.slice(i));
      if (cf) {
        i += cf[0].length;
      } else {
        while (i < jql.length && /[A-Za-z0-9_\-.]/.test(jql[i] as string)) i++;
      }
      if (i === start) {
        const code = c.charCodeAt(0).toString(16).padStart(4, '0');
        const why = RESERVED.has(c) ? 'is a reserved JQL character' : 'is not valid here';
        fail(`The character '${c}' ${why}. You must enclose it in a string or use the escape '\\u${code}' instead.`, i + 1);
      }
      tokens.push({ type: 'word', text: jql.slice(start, i), at: start + 1 });
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token | undefined {
    return this.tokens[this.pos++];
  }
  private isWord(word: string, token = this.peek()): boolean {
    return token?.type === 'word' && token.text.toLowerCase() === word;
  }

  parse(): JqlQuery {
    const where = this.peek() && !this.isWord('order') ? this.parseOr() : undefined;
    const orderBy = this.parseOrderBy();
    const rest = this.peek();
    if (rest) fail(`Expecting either 'OR' or 'AND' but got '${rest.text}'.`, rest.at);
    return where ? { where, orderBy } : { orderBy };
  }

  private parseOrderBy(): JqlQuery['orderBy'] {
    if (!this.isWord('order')) return [];
    this.next();
    const by = this.next();
    if (!this.isWord('by', by))
      fail(by ? `Expecting 'by' but got '${by.text}'.` : "Expecting 'by' before the end of the query.", by?.at);
    const fields: JqlQuery['orderBy'] = [];
    do {
      const field = this.next();
      if (!field || (field.type !== 'word' && field.type !== 'string')) {
        fail(
          field ? `Expecting a field name but got '${field.text}'.` : 'Expecting a field name before the end of the query.',
          field?.at,
        );
      }
      let direction: 'asc' | 'desc' = 'asc';
      if (this.isWord('asc') || this.isWord('desc')) direction = (this.next() as Token).text.toLowerCase() as 'asc' | 'desc';
      fields.push({ field: (field as Token).text, direction });
    } while (this.peek()?.type === 'comma' && this.next());
    return fields;
  }

  private parseOr(): JqlNode {
    const clauses = [this.parseAnd()];
    while (this.isWord('or')) {
      this.next();
      clauses.push(this.parseAnd());
    }
    return clauses.length === 1 ? (clauses[0] as JqlNode) : { kind: 'or', clauses };
  }

  private parseAnd(): JqlNode {
    const clauses = [this.parseNot()];
    while (this.isWord('and')) {
      this.next();
      clauses.push(this.parseNot());
    }
    return clauses.length === 1 ? (clauses[0] as JqlNode) : { kind: 'and', clauses };
  }

  private parseNot(): JqlNode {
    if (this.isWord('not')) {
      this.next();
      return { kind: 'not', clause: this.parseNot() };
    }
    const token = this.peek();
    if (token?.type === 'lparen') {
      this.next();
      const inner = this.parseOr();
      const close = this.next();
      if (close?.type !== 'rparen') {
        fail(close ? `Expecting ')' but got '${close.text}'.` : "Expecting ')' before the end of the query.", close?.at);
      }
      return inner;
    }
    return this.parseTerm();
  }

  private parseTerm(): JqlNode {
    const field = this.next();
    if (!field) return fail('Expecting a field name before the end of the query.');
    if (field.type !== 'word' && field.type !== 'string')
      return fail(`Expecting a field name but got '${field.text}'.`, field.at);
    if (field.type === 'word' && ['and', 'or', 'order', 'in', 'is'].includes(field.text.toLowerCase())) {
      fail(`'${field.text}' is a reserved JQL word. You must surround it in quotation marks to use it in a query.`, field.at);
    }
    const operator = this.parseOperator();
    return { kind: 'term', field: field.text, operator, operand: this.parseOperand(operator) };
  }

  private parseOperator(): string {
    const token = this.next();
    if (!token) return fail(`Expecting operator before the end of the query. ${VALID_OPERATORS}`);
    if (token.type === 'op') return token.text;
    const word = token.type === 'word' ? token.text.toLowerCase() : '';
    if (word === 'in') return 'in';
    if (word === 'not' && this.isWord('in')) {
      this.next();
      return 'not in';
    }
    if (word === 'is') {
      if (this.isWord('not')) {
        this.next();
        return 'is not';
      }
      return 'is';
    }
    return fail(`Expecting operator but got '${token.text}'. ${VALID_OPERATORS}`, token.at);
  }

  private parseOperand(operator: string): Operand {
    const token = this.next();
    const expecting = 'Expecting either a value, list or function';
    if (!token) return fail(`${expecting} before the end of the query.`);
    if (operator === 'is' || operator === 'is not') {
      if (this.isWord('empty', token) || this.isWord('null', token)) return { kind: 'empty' };
      return fail(`Expecting 'EMPTY' or 'NULL' but got '${token.text}'.`, token.at);
    }
    if (token.type === 'lparen') {
      const values: { value: string; quoted: boolean }[] = [];
      for (;;) {
        const item = this.next();
        if (!item || (item.type !== 'word' && item.type !== 'string')) {
          fail(item ? `${expecting} but got '${item.text}'.` : `${expecting} before the end of the query.`, item?.at);
        }
        values.push({ value: (item as Token).text, quoted: (item as Token).type === 'string' });
        const sep = this.next();
        if (sep?.type === 'rparen') break;
        if (sep?.type !== 'comma')
          fail(sep ? `Expecting ',' or ')' but got '${sep.text}'.` : "Expecting ')' before the end of the query.", sep?.at);
      }
      return { kind: 'list', values };
    }
    if (token.type !== 'word' && token.type !== 'string') {
      return fail(
        `${expecting} but got '${token.text}'. You must surround '${token.text}' in quotation marks to use it as a value.`,
        token.at,
      );
    }
    if (token.type === 'word' && ['and', 'or', 'not', 'order', 'in', 'is'].includes(token.text.toLowerCase())) {
      return fail(`${expecting} but got '${token.text}'.`, token.at);
    }
    if (token.type === 'word' && this.peek()?.type === 'lparen') {
      this.next();
      const args: string[] = [];
      while (this.peek() && this.peek()?.type !== 'rparen') {
        const arg = this.next() as Token;
        if (arg.type !== 'comma') args.push(arg.text);
      }
      if (!this.next()) fail("Expecting ')' before the end of the query.");
      return { kind: 'function', name: token.text, args };
    }
    if (this.isWord('empty', token) || this.isWord('null', token)) return { kind: 'empty' };
    return { kind: 'value', value: token.text, quoted: token.type === 'string' };
  }
}

/** Parses JQL, throwing `JqlSyntaxError` with Jira's wording on a syntax error. */
export function parseJql(jql: string): JqlQuery {
  return new Parser(tokenize(jql)).parse();
}

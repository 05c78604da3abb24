import { readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.js';

const Expectation = z.object({
  escalates: z.boolean().optional(),
  contains: z.union([z.string(), z.array(z.string())]).optional(),
  not_contains: z.union([z.string(), z.array(z.string())]).optional(),
  max_length: z.number().int().positive().optional(),
  language: z.enum(['ru', 'kk', 'en']).optional(),
  expect_fact: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
}).strict();

const Turn = z.object({ say: z.string().min(1), expect: Expectation.default({}) }).strict();
const Case = z.object({ name: z.string().min(1), turns: z.array(Turn).min(1) }).strict();
const Suite = z.object({ name: z.string().optional(), cases: z.array(Case).min(1) }).strict();

export type EvalExpectation = z.infer<typeof Expectation>;
export type EvalSuite = z.infer<typeof Suite>;

/**
 * Reads an eval suite: scripted conversations with expectations per turn.
 *
 *   name: FAQ
 *   cases:
 *     - name: price of a cleaning
 *       turns:
 *         - say: "Сколько стоит чистка?"
 *           expect: { contains: "15 000", escalates: false, language: ru, max_length: 600 }
 *         - say: "скока чиска стоит"
 *           expect: { expect_fact: "15 000" }
 *
 * `expect_fact` (one or several, all required): the fact that answers the question must be in what the model is given,
 * and, when a model answered, in the reply. `botctl eval --retrieval` checks only the first half, without the model.
 */
export function loadSuite(path: string): EvalSuite {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`the eval suite ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'check the path; templates/examples/ has an example suite');
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new UserError(`${path} is not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`, 'fix the YAML (indentation, quotes)');
  }
  const parsed = Suite.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${path}: ${issue.path.join('.') || 'the suite'} ${issue.message}`, 'a suite is { name, cases: [{ name, turns: [{ say, expect: { escalates, contains, not_contains, max_length, language, expect_fact } }] }] }');
  }
  return parsed.data;
}

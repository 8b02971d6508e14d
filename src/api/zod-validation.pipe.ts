import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/**
 * Parses a request part with its zod schema (STYLE.md §10: every payload on a
 * wire is a schema). The 400 names every bad field: `{ error, issues: [{ path, message }] }`;
 * ApiErrorsFilter counts it.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly part: 'body' | 'query' | 'params',
  ) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw new BadRequestException({
      error: `invalid ${this.part}`,
      issues: result.error.issues.map((i) => ({ path: [this.part, ...i.path.map(String)].join('.'), message: i.message })),
    });
  }
}

import { BadRequestException } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { createValidationPipe } from './create-app';

type Dto = abstract new (...args: never[]) => unknown;

/**
 * Every class class-validator has loaded decorators for, with the properties it validates. Import
 * the app's module first: it imports every controller, and so every DTO, including one added later.
 */
export function validatedDtos(): { dto: Dto; properties: string[] }[] {
  // Not in class-validator's typings, but the storage holds exactly this (target → its metadata).
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<Dto, { propertyName: string }[]>;
  };
  return [...storage.validationMetadatas].map(([dto, metadata]) => ({
    dto,
    properties: [...new Set(metadata.map((m) => m.propertyName))],
  }));
}

/**
 * The rule every DTO must keep, checked through the real global pipe: a JSON `null` in any field is
 * a 400 whose message names that field (class-validator's `@IsOptional()` let it through; use
 * `@OptionalField()`). `nullable` lists `Dto.field`s where null means something. (NUL characters
 * and deep nesting are refused for every field before any DTO runs: see createServiceApp.)
 * Returns the violations, e.g. `UpdateProductDto.name accepts null`.
 */
export async function dtoRuleViolations(nullable: readonly string[] = []): Promise<string[]> {
  const pipe = createValidationPipe();
  const violations: string[] = [];
  for (const { dto, properties } of validatedDtos()) {
    for (const property of properties) {
      if (nullable.includes(`${dto.name}.${property}`)) continue;
      const messages = await rejectionMessages(() =>
        pipe.transform({ [property]: null }, { type: 'body', metatype: dto as never }),
      );
      if (!messages.some((m) => m.startsWith(`${property} `)))
        violations.push(`${dto.name}.${property} accepts null`);
    }
  }
  return violations;
}

async function rejectionMessages(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
    return [];
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    const message = (error.getResponse() as { message?: unknown }).message;
    return Array.isArray(message) ? message.map(String) : [String(message)];
  }
}

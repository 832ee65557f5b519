import { dtoRuleViolations, validatedDtos } from '@sdp/bootstrap';
// The module imports every controller and so every DTO: a DTO added later is checked too.
import { AppModule } from './app.module';

describe('control DTOs', () => {
  it('refuse a JSON null in every field with a 400 naming the field', async () => {
    expect(AppModule).toBeDefined();
    expect(validatedDtos().map(({ dto }) => dto.name)).toEqual(expect.arrayContaining(['StartRunDto']));
    expect(await dtoRuleViolations()).toEqual([]);
  });
});

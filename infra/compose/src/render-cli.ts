// pnpm compose:render — rewrites infra/compose/nginx/* from infra/nginx templates (commit the result;
// a unit test fails when they are out of date).
import path from 'node:path';
import { writeAll } from './render';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('usage: pnpm compose:render\n  rewrites infra/compose/nginx/* from the infra/nginx templates');
  process.exit(0);
}
for (const file of writeAll()) console.log(`wrote ${path.relative(process.cwd(), file)}`);

import fs from 'node:fs';
import path from 'node:path';
import { composeEnv } from './env-file';

const file = path.resolve(__dirname, '../../../.env');
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(
    'usage: pnpm compose:env\n  writes .env for docker compose with fresh secrets (never overwrites an existing .env)',
  );
  process.exit(0);
}
if (fs.existsSync(file)) {
  console.log(`${file} exists; not overwriting it (delete it to generate new secrets)`);
} else {
  fs.writeFileSync(file, composeEnv(), { mode: 0o600 });
  console.log(`wrote ${file}; the demo password is DEMO_PASSWORD in it`);
}

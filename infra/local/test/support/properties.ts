/**
 * A Java .properties / zoo.cfg text as a key-value map: what the servers' config specs check the
 * rendered files against. Comment and blank lines are skipped; a value may itself contain '='.
 */
export const parseProperties = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

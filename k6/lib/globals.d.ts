// k6 provides console (log/info/warn/error) in every script; @types/k6 does not declare it.
declare const console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};

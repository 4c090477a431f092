const kConfigError = Symbol.for('cos-direct.server.config-error');

/** What can be wrong with one setting; `code` is stable, match on it. */
export const CONFIG_ISSUE_CODES = [
  'SRV_ERR_CONFIG_REQUIRED',
  'SRV_ERR_CONFIG_TYPE',
  'SRV_ERR_CONFIG_RANGE',
  'SRV_ERR_CONFIG_ENUM',
  'SRV_ERR_CONFIG_FORMAT',
  'SRV_ERR_CONFIG_UNKNOWN',
  'SRV_ERR_CONFIG_CONFLICT',
] as const;
export type ConfigIssueCode = (typeof CONFIG_ISSUE_CODES)[number];

export interface ConfigIssue {
  code: ConfigIssueCode;
  /** The library option (e.g. "jwt.jwksUrl"), when there is one. */
  option?: string;
  /** The environment variable, when there is one. */
  env?: string;
  message: string;
}

/** Thrown when configuration is missing, malformed or misspelled; `issues` lists every mistake at once, one coded issue each. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'SRV_ERR_CONFIG';
  readonly [kConfigError] = true;
  /** The issues' messages, one line each. */
  readonly problems: string[];
  constructor(readonly issues: ConfigIssue[]) {
    const problems = issues.map((i) => `${i.message} [${i.code}]`);
    super(`invalid sign server configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }

  // Two copies of this package (a bundled one and an installed one) must still recognise each other's errors.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kConfigError] === true;
  }
}

/** A value as a message shows it: strings quoted and cut short, anything else as String() does. */
export const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v));

// What cors-gen knows about one server, as data (after mozilla/ssl-config-generator's configs.js):
// read by the checks, the CLI help, `init`, the tests and the README, so that no other place lists
// the targets or their quirks by hand. Each target's own facts live in src/targets/<t>/dialect.ts.

/** A character that the server's configuration reader interprets where cors-gen writes user text. */
export interface SpecialCharacter {
  char: string;
  /** Why: what the server would read it as. */
  why: string;
}

export interface IncludeStep {
  /** File name in the output directory; `<name>` stands for each policy's name. */
  file: string;
  /** Where the user includes it, in words. */
  where: string;
  /** The line that includes it, with DIR for the output directory. */
  line: string;
}

export interface Dialect {
  /** The --target value. */
  name: string;
  /** How people write the server's name. */
  title: string;
  /** The oldest version whose configuration cors-gen generates (docs/contract.md §4). */
  minVersion: string;
  /** The regex engine that runs origin regexes in this server. */
  regexEngine: 'PCRE' | 'RE2';
  specialCharacters: readonly SpecialCharacter[];
  /** Policy names the generated files use themselves (`http.conf`, `cors-<name>-upstream`). */
  reserved: { names: readonly string[]; suffixes: readonly string[] };
  include: readonly IncludeStep[];
  /** Modules or features the generated files need beyond the server's defaults. */
  needs: readonly string[];
  /** The server's own syntax check, as a user runs it. */
  syntaxCheck: string;
  /**
   * Whether, in proxy mode, the server verifies an https upstream named by an IP address (against
   * an IP-address subjectAltName). Read by the check upstream-ip-address.
   */
  verifiesUpstreamIpAddress: boolean;
}

// Dialect registry: the CLI and the server choose a dialect by name.
import type { Dialect } from "../dialect.ts";
import { nativeDialect } from "./native.ts";

export type DialectName = "native" | "swe-agent";

const DIALECTS: Record<string, Dialect> = {
  native: nativeDialect,
};

export const dialectNames = Object.keys(DIALECTS) as DialectName[];

export function dialectByName(name: string): Dialect {
  const d = DIALECTS[name];
  if (!d) throw new Error(`unknown dialect "${name}": expected one of ${Object.keys(DIALECTS).join(", ")}`);
  return d;
}

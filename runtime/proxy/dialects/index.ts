// Dialect registry: the CLI and the server choose a dialect by name.
import type { Dialect } from "../dialect.ts";
import { nativeDialect } from "./native.ts";
import { sweAgentDialect } from "./swe-agent.ts";

export type DialectName = "native" | "swe-agent";

const DIALECTS: Record<DialectName, Dialect> = {
  native: nativeDialect,
  "swe-agent": sweAgentDialect,
};

export const dialectNames = Object.keys(DIALECTS) as DialectName[];

export function isDialectName(name: string): name is DialectName {
  return Object.hasOwn(DIALECTS, name);
}

export function dialectByName(name: string): Dialect {
  if (!isDialectName(name)) throw new Error(`unknown dialect "${name}": expected one of ${dialectNames.join(", ")}`);
  return DIALECTS[name];
}

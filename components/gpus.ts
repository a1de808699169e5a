// Modal GPU types: memory as the driver reports it (nvidia-smi total, MiB) and list price while running.
// Prices are Modal's published per-second rates × 3600 (modal.com/pricing, read 2026-11); a scaled-to-zero
// endpoint costs nothing. Modal validates GPU names server-side; we validate here so preview fails early.

export interface GpuType {
  readonly name: string;
  readonly memoryMiB: number;
  readonly usdPerHour: number;
  /** most of this type Modal puts in one container */
  readonly maxCount: number;
  /** CUDA compute capability × 10 (8.0 → 80): which vLLM kernels exist for it */
  readonly computeCapability: number;
}

const table: readonly GpuType[] = [
  { name: "T4", memoryMiB: 15360, usdPerHour: 0.59, maxCount: 8, computeCapability: 75 },
  { name: "L4", memoryMiB: 23034, usdPerHour: 0.8, maxCount: 8, computeCapability: 89 },
  { name: "A10", memoryMiB: 23028, usdPerHour: 1.1, maxCount: 4, computeCapability: 86 },
  { name: "L40S", memoryMiB: 46068, usdPerHour: 1.95, maxCount: 8, computeCapability: 89 },
  { name: "A100-40GB", memoryMiB: 40960, usdPerHour: 2.1, maxCount: 8, computeCapability: 80 },
  { name: "A100-80GB", memoryMiB: 81920, usdPerHour: 2.5, maxCount: 8, computeCapability: 80 },
  { name: "RTX-PRO-6000", memoryMiB: 97887, usdPerHour: 3.03, maxCount: 8, computeCapability: 120 },
  { name: "H100", memoryMiB: 81559, usdPerHour: 3.95, maxCount: 8, computeCapability: 90 },
  { name: "H200", memoryMiB: 143771, usdPerHour: 4.54, maxCount: 8, computeCapability: 90 },
  { name: "B200", memoryMiB: 183359, usdPerHour: 6.25, maxCount: 8, computeCapability: 100 },
];

/** Aliases Modal accepts: "A100" is the 40 GB part, "!" pins H100 (no H200 upgrade), "+" allows B200+ parts. */
const aliases: Readonly<Record<string, string>> = { A100: "A100-40GB", "H100!": "H100", "B200+": "B200", A10G: "A10" };

export const GPU_NAMES: readonly string[] = [...table.map((g) => g.name), ...Object.keys(aliases)];

export interface GpuRequest {
  /** the string passed to Modal, normalised (upper case, explicit count) */
  readonly modal: string;
  readonly type: GpuType;
  readonly count: number;
}

/** Parses "H200", "h200:2", "A100-80GB:4". Throws with the accepted names when unknown. */
export function parseGpu(value: string): GpuRequest {
  const m = /^([A-Za-z0-9!+-]+?)(?::(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`"${value}" is not a GPU string: use TYPE or TYPE:COUNT, e.g. "H200" or "H200:2"`);
  const raw = m[1].toUpperCase();
  const name = aliases[raw] ?? raw;
  const type = table.find((g) => g.name === name);
  if (!type) throw new Error(`unknown GPU "${m[1]}": one of ${GPU_NAMES.join(", ")}`);
  const count = m[2] === undefined ? 1 : Number(m[2]);
  if (count < 1 || count > type.maxCount) throw new Error(`GPU count ${count} for ${type.name} must be 1..${type.maxCount}`);
  return { modal: `${raw}:${count}`, type, count };
}

export const MIB_PER_GIB = 1024;

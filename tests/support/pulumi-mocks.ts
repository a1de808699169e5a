// Pulumi mocks that record every registered resource; command.local.Command answers like our deploy script.
import * as pulumi from "@pulumi/pulumi";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** input paths that were secret */
  secretInputs: string[];
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Inputs as the engine would see them, with secret wrappers removed (and the secret paths listed). */
export function unwrapSecrets(v: any, path = "", secrets: string[] = []): any {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    if (v[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") {
      secrets.push(path);
      return unwrapSecrets(v.value, path, secrets);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x, path ? `${path}.${k}` : k, secrets)]));
  }
  return Array.isArray(v) ? v.map((x, i) => unwrapSecrets(x, `${path}[${i}]`, secrets)) : v;
}

export function deployStdout(inputs: Record<string, any>): string {
  const spec = JSON.parse(inputs.environment?.ENDPOINT_SPEC ?? "{}");
  const url = `https://ws--${spec.appName}-serve.modal.run`;
  return `{"appName":"${spec.appName}","functionName":"${spec.functionName}","url":"${url}","openaiBaseUrl":"${url}/v1","ready":false}`;
}

export async function recordResources(opts: { preview?: boolean; stack?: string } = {}): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (a: pulumi.runtime.MockResourceArgs) => {
        const secretInputs: string[] = [];
        const inputs = unwrapSecrets(a.inputs, "", secretInputs);
        recorded.push({ type: a.type, name: a.name, inputs, secretInputs });
        const state = a.type === "command:local:Command" ? { ...a.inputs, stdout: deployStdout(inputs), stderr: "" } : a.inputs;
        return { id: `${a.type}::${a.name}`, state };
      },
      call: (a: pulumi.runtime.MockCallArgs) => {
        throw new Error(`unexpected invoke ${a.token}`);
      },
    },
    "coding-agent-server",
    opts.stack ?? "dev",
    opts.preview ?? false,
  );
  return recorded;
}

/** Resolves an Output's value (undefined while unknown in preview). */
export function valueOf<T>(o: pulumi.Output<T> | undefined): Promise<T | undefined> {
  return new Promise((resolve) => (o ? o.apply((v) => { resolve(v); return v; }) : resolve(undefined)));
}

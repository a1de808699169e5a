// VllmEndpoint: one vLLM server on Modal, deployed by `modal deploy` through a command.local.Command.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { CapacityPlan } from "./capacity.ts";
import type { VllmEndpointArgs } from "./endpoint-args.ts";
import { buildEndpoint, type EndpointSpec } from "./endpoint-spec.ts";

export type { VllmEndpointArgs } from "./endpoint-args.ts";

export const VLLM_ENDPOINT_TYPE = "coding-agent-server:modal:VllmEndpoint";
// Relative to the project directory, the provider's working directory: absolute paths would put this
// machine's layout into the state and show a diff on every other checkout.
export const DEPLOY_COMMAND = "node components/modal/deploy.ts deploy";
export const STOP_COMMAND = "node components/modal/deploy.ts stop";

interface DeployOutput {
  appName: string;
  functionName: string;
  url: string;
  openaiBaseUrl: string;
}

/** The deploy script prints progress on stderr and one JSON object as its last stdout line. */
export function parseDeployOutput(stdout: string): DeployOutput {
  const line = stdout.trim().split("\n").pop() ?? "";
  let parsed: Partial<DeployOutput>;
  try {
    parsed = JSON.parse(line) as Partial<DeployOutput>;
  } catch {
    throw new Error(`deploy script printed no JSON result; last line: ${JSON.stringify(line.slice(0, 200))}`);
  }
  for (const k of ["appName", "functionName", "url", "openaiBaseUrl"] as const) {
    if (typeof parsed[k] !== "string" || !parsed[k]) throw new Error(`deploy script result lacks "${k}": ${line.slice(0, 200)}`);
  }
  return parsed as DeployOutput;
}

export class VllmEndpoint extends pulumi.ComponentResource {
  public readonly appName: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  public readonly url: pulumi.Output<string>;
  public readonly openaiBaseUrl: pulumi.Output<string>;
  /** the served model name clients send */
  public readonly model: pulumi.Output<string>;
  public readonly gpu: pulumi.Output<string>;
  public readonly apiKey?: pulumi.Output<string>;
  /** the spec handed to Modal (no secret values in it) */
  public readonly spec: EndpointSpec;
  public readonly capacity?: CapacityPlan;

  constructor(name: string, args: VllmEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super(VLLM_ENDPOINT_TYPE, name, {}, opts);
    let built;
    try {
      built = buildEndpoint(name, args, { project: pulumi.getProject(), stack: pulumi.getStack(), hasApiKey: args.apiKey !== undefined });
    } catch (e) {
      throw new pulumi.ResourceError((e as Error).message, this, true); // reported on this endpoint, without a stack trace
    }
    // vLLM refuses to start when one full-length sequence does not fit: fail at preview, with the numbers
    if (built.capacity?.error) throw new pulumi.ResourceError(built.capacity.error, this, true);
    if (built.capacity?.warning) void pulumi.log.warn(built.capacity.warning, this);
    if (built.capacitySkipped) void pulumi.log.warn(built.capacitySkipped, this);
    this.spec = built.spec;
    this.capacity = built.capacity;

    // The key goes through stdin: a secret inside `environment` would make the whole map secret and hide
    // spec changes from preview diffs; a secret stdin keeps the spec readable and the key encrypted.
    const environment = { ENDPOINT_SPEC: JSON.stringify(built.spec) };

    // No triggers: a spec change is an in-place update (`modal deploy` again). A create-before-delete
    // replace would run the old `modal app stop` after the new deploy and kill it (same app name).
    const deploy = new command.local.Command(
      `${name}-deploy`,
      {
        create: DEPLOY_COMMAND,
        update: DEPLOY_COMMAND,
        delete: STOP_COMMAND,
        environment,
        ...(args.apiKey !== undefined ? { stdin: pulumi.secret(args.apiKey) } : {}),
        addPreviousOutputInEnv: false,
      },
      { parent: this, deleteBeforeReplace: true },
    );

    // stdout is secret whenever an input is (the API key); the URL and names are not, so unwrap them
    const result = pulumi.unsecret(deploy.stdout.apply(parseDeployOutput));
    this.appName = result.appName;
    this.functionName = result.functionName;
    this.url = result.url;
    this.openaiBaseUrl = result.openaiBaseUrl;
    this.model = pulumi.output(built.spec.servedModelName);
    this.gpu = pulumi.output(built.spec.gpu);
    this.apiKey = args.apiKey === undefined ? undefined : pulumi.secret(args.apiKey);
    this.registerOutputs({ appName: this.appName, functionName: this.functionName, url: this.url, openaiBaseUrl: this.openaiBaseUrl, model: this.model, gpu: this.gpu, apiKey: this.apiKey });
  }
}

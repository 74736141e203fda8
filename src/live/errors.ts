/**
 * Why live collection stopped, in words that name the remedy. Collectors throw only CollectError;
 * the CLI maps it to its exit code in one place (src/cli/snapshot-source.ts).
 */

export type CollectFailure =
  | 'credentials'
  | 'access-denied'
  | 'not-found'
  | 'unreachable'
  | 'forbidden'
  | 'throttled'
  | 'config'
  | 'api';

export class CollectError extends Error {
  override readonly name = 'CollectError';
  constructor(
    readonly failure: CollectFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The parts of an AWS SDK v3 service or client error that tell what went wrong. */
interface AwsErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly Code?: string;
  readonly code?: string;
  readonly $metadata?: { httpStatusCode?: number; attempts?: number };
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthFailure',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidToken',
]);
/** Raised by the provider chain itself, before any request: nothing usable was found. */
const LOCAL_CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const DENIED_ERRORS = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
// The SDK retries these itself; reaching us means they outlasted every attempt.
const THROTTLING_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'EC2ThrottledException',
  'SlowDown',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
]);

function awsCode(err: AwsErrorLike): string {
  return err.Code ?? err.name ?? '';
}

export interface AwsCallContext {
  /** The IAM action of the failed call, e.g. `ec2:DescribeNetworkAcls`. */
  readonly action: string;
  readonly profile?: string;
  readonly region?: string;
  readonly cluster?: string;
}

/** The profiles the AWS shared files define (live/collect/aws-profiles.ts reads them). */
export interface SharedProfiles {
  readonly names: ReadonlySet<string>;
  /** The config and credentials files read, in that order. */
  readonly files: readonly string[];
  /** AWS_PROFILE, which names the profile when --profile does not. */
  readonly envProfile?: string;
}

/**
 * Turns any error from an AWS SDK call into a CollectError that names the action and the remedy.
 * `profiles` is asked only when no credentials or no region could be found here: a profile named
 * by --profile or AWS_PROFILE that no shared file defines is the cause then, not an expired login.
 */
export function awsFailure(
  error: unknown,
  call: AwsCallContext,
  profiles?: () => SharedProfiles,
): CollectError {
  if (error instanceof CollectError) return error;
  const err = (error ?? {}) as AwsErrorLike;
  const code = awsCode(err);
  const detail = err.message ? `: ${err.message.split('\n')[0]}` : '';
  const profileHint = call.profile ? ` --profile ${call.profile}` : '';
  const credentials = CREDENTIAL_ERRORS.has(code) || CREDENTIAL_ERRORS.has(err.name ?? '');
  const noRegion = /region is missing/i.test(err.message ?? '');
  // Found no credentials or region here, before any request: a profile may be missing. (An expired
  // or refused token came from the profile, so it exists.)
  const notFoundHere =
    noRegion || LOCAL_CREDENTIAL_ERRORS.has(code) || LOCAL_CREDENTIAL_ERRORS.has(err.name ?? '');
  if (notFoundHere && profiles) {
    const shared = profiles();
    const name = call.profile ?? shared.envProfile;
    if (name !== undefined && !shared.names.has(name)) {
      const known = [...shared.names].sort();
      return new CollectError(
        'config',
        `no such profile ${name}${call.profile ? '' : ' (AWS_PROFILE)'}: ${shared.files.join(' and ')} ` +
          `define ${known.length > 0 ? known.join(', ') : 'no profile'}. Check --profile / AWS_PROFILE ` +
          '(`aws configure list-profiles` lists them), or create it with `aws configure sso --profile ' +
          `${name}\` or \`aws configure --profile ${name}\``,
      );
    }
  }
  if (credentials) {
    return new CollectError(
      'credentials',
      `AWS credentials are missing or expired (${code}${detail}) while calling ${call.action}. ` +
        `Run \`aws sso login${profileHint}\` (or refresh the keys of the profile), pass --profile <name>, ` +
        'or set AWS_PROFILE / AWS_ACCESS_KEY_ID; `aws sts get-caller-identity` checks them',
    );
  }
  if (DENIED_ERRORS.has(code)) {
    return new CollectError(
      'access-denied',
      `AWS denied ${call.action} (${code}): grant the caller the IAM action ${call.action} ` +
        '(the minimal policy is in docs/iam-policy.json)',
    );
  }
  if (THROTTLING_ERRORS.has(code) || err.$metadata?.httpStatusCode === 429) {
    const attempts = err.$metadata?.attempts;
    return new CollectError(
      'throttled',
      `AWS throttled ${call.action} (${code})${attempts ? ` after ${attempts} attempts` : ''}: ` +
        'the account is over its API rate limit; wait and run again',
    );
  }
  if (code === 'ResourceNotFoundException' && call.action === 'eks:DescribeCluster') {
    return new CollectError(
      'not-found',
      `EKS cluster ${call.cluster ?? '?'} not found in ${call.region ?? 'the region'}: check --cluster and --region ` +
        '(`aws eks list-clusters` lists the names)',
    );
  }
  if (noRegion) {
    return new CollectError(
      'config',
      'no AWS region: pass --region, or set AWS_REGION or a region in the AWS profile',
    );
  }
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause;
  const netCode = err.code ?? cause?.code;
  if (netCode && NETWORK_CODES.has(netCode)) {
    return new CollectError(
      'unreachable',
      `cannot reach the AWS API for ${call.action} (${netCode}): check the network, proxy and --region`,
    );
  }
  return new CollectError('api', `${call.action} failed (${code || 'error'}${detail})`);
}

/** The parts of a client-node error we read: an HTTP status with a Kubernetes Status body, or a socket error. */
interface KubeErrorLike {
  readonly code?: number | string;
  readonly body?: unknown;
  readonly message?: string;
  readonly cause?: { code?: string; message?: string };
}

export interface KubeCallContext {
  /** `list`, `get`. */
  readonly verb: string;
  /** The resource as RBAC names it: `pods`, `pods/log`, `endpointslices.discovery.k8s.io`. */
  readonly resource: string;
  readonly server: string;
  readonly namespace?: string;
}

function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.trim() || undefined;
    }
  }
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string')
    return body.message;
  return undefined;
}

/** HTTP status of a client-node ApiException, if it is one. */
export function kubeStatus(error: unknown): number | undefined {
  const code = (error as KubeErrorLike | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Node's and OpenSSL's codes for a TLS peer the client does not trust or cannot verify (self-signed,
 * unknown issuer, expired, wrong host name, unreadable CA or key): a kubeconfig problem.
 */
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|HOSTNAME_MISMATCH|INVALID_CA/;

/** Turns any error from a Kubernetes call into a CollectError that names the resource and verb. */
export function kubeFailure(error: unknown, call: KubeCallContext): CollectError {
  if (error instanceof CollectError) return error;
  const err = (error ?? {}) as KubeErrorLike;
  const status = kubeStatus(error);
  const where = call.namespace ? ` in namespace ${call.namespace}` : '';
  const said = statusMessage(err.body);
  if (status === 403) {
    return new CollectError(
      'forbidden',
      `Kubernetes RBAC forbids ${call.verb} on ${call.resource}${where}` +
        `${said ? ` (${said})` : ''}: bind the ClusterRole in docs/rbac.yaml to this user`,
    );
  }
  if (status === 401) {
    return new CollectError(
      'credentials',
      `the Kubernetes API server ${call.server} rejected the credentials (401) on ${call.verb} ${call.resource}: ` +
        'refresh them (`aws eks update-kubeconfig --name <cluster> --region <region>`, `aws sso login`)',
    );
  }
  if (status === 429) {
    return new CollectError(
      'throttled',
      `the Kubernetes API server throttled ${call.verb} ${call.resource} (429): wait and run again`,
    );
  }
  if (status !== undefined) {
    return new CollectError(
      'api',
      `Kubernetes ${call.verb} ${call.resource}${where} failed with HTTP ${status}${said ? `: ${said}` : ''}`,
    );
  }
  const netCode = err.cause?.code ?? (typeof err.code === 'string' ? err.code : undefined);
  if (netCode && TLS_CODE.test(netCode)) {
    const reason = /reason: (.+)$/.exec(err.message ?? '')?.[1] ?? err.cause?.message;
    return new CollectError(
      'config',
      `the certificate of the Kubernetes API server ${call.server} failed verification (${netCode}` +
        `${reason ? `: ${reason}` : ''}): a certificate problem, not the network. The CA in the kubeconfig ` +
        "(the cluster's certificate-authority-data) does not match this server, or the server URL or " +
        '--context names another cluster: `aws eks update-kubeconfig --name <cluster> --region <region>` writes both afresh',
    );
  }
  if (netCode || /fetch failed|socket|connect/i.test(err.message ?? '')) {
    return new CollectError(
      'unreachable',
      `cannot reach the Kubernetes API server ${call.server} (${netCode ?? err.cause?.message ?? err.message}): ` +
        'check --kubeconfig / --context, the network path (VPN, private endpoint) and that the cluster is up',
    );
  }
  return new CollectError(
    'api',
    `Kubernetes ${call.verb} ${call.resource} failed: ${(err.message ?? String(error)).split('\n')[0]}`,
  );
}

/**
 * Kubernetes Events on the monitor's own Pod (`monitor` in a cluster): `kubectl describe pod` and
 * event exporters then show when a flow became blocked, and why. One `create` in the Pod's own
 * namespace is the only write the monitor makes; deploy/monitor's Role grants exactly that.
 */
import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import { kubeFailure } from './errors.ts';

/** Every Kubernetes call the event sink makes, as RBAC names it (namespaced: the monitor's own namespace). */
export const EVENT_PERMISSIONS: readonly { verb: string; resource: string; group: string }[] = [
  { verb: 'create', resource: 'events', group: '' },
];

export const EVENT_COMPONENT = 'dynamo-netcheck-monitor';

/** The object events are about: the monitor's Pod, from the downward API. */
export interface EventSubject {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

export interface MonitorEvent {
  readonly type: 'Normal' | 'Warning';
  /** UpperCamelCase, as Kubernetes reasons are: `FlowBlocked`, `VerdictChanged`. */
  readonly reason: string;
  readonly message: string;
}

/** The API server refuses longer messages of the events.k8s.io form; core Events are kept as short. */
const MAX_MESSAGE = 1024;

export type EventSink = (event: MonitorEvent) => Promise<void>;

export async function kubernetesEventSink(kubeConfig: KubeConfig, subject: EventSubject): Promise<EventSink> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const server = kubeConfig.getCurrentCluster()?.server ?? '(unknown server)';
  return async (event) => {
    const now = new Date();
    const message =
      event.message.length > MAX_MESSAGE ? `${event.message.slice(0, MAX_MESSAGE - 1)}…` : event.message;
    const body: CoreV1Event = {
      metadata: { generateName: `${subject.name}.`, namespace: subject.namespace },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        name: subject.name,
        namespace: subject.namespace,
        ...(subject.uid ? { uid: subject.uid } : {}),
      },
      type: event.type,
      reason: event.reason,
      message,
      source: { component: EVENT_COMPONENT },
      reportingComponent: EVENT_COMPONENT,
      reportingInstance: subject.name,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await core.createNamespacedEvent({ namespace: subject.namespace, body });
    } catch (err) {
      throw kubeFailure(err, { verb: 'create', resource: 'events', server, namespace: subject.namespace });
    }
  };
}

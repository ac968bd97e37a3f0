import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import type { Logger } from '../../src/ports.js';
import { createHttpServer, createOperatorServer, type HealthReport, type HttpServerDeps, type MetricsScrape } from '../http-server.js';
import { StartupError } from '../startup-error.js';
import type { Stop } from './startup.js';

export interface HttpDeps {
  readonly config: Config;
  readonly slack: HttpServerDeps['slack'];
  readonly telegram: HttpServerDeps['telegram'];
  readonly health: () => Promise<HealthReport>;
  readonly metrics: () => Promise<MetricsScrape>;
  readonly log: Logger;
}

export interface Http {
  /** The port the HTTP server listens on (useful with PORT=0). */
  readonly port: number;
  /** The operator's metrics port, when METRICS_PORT is set. */
  readonly metricsPort?: number;
  /** Stops taking requests, lets those under way finish, then closes. */
  readonly stop: Stop;
}

/** The HTTP server (/slack/events, /telegram/webhook, /healthz, /metrics), and the operator's when METRICS_PORT is set. */
export async function startHttp(deps: HttpDeps): Promise<Http> {
  const { config, log } = deps;
  let stopping = false;
  const { metricsToken, metricsPort, metricsHost } = config.operator;
  const closes: Stop[] = [];
  const stop = async () => {
    stopping = true;
    await Promise.all(closes.map((close) => close()));
  };
  const listen = async (what: Server, port: number, host?: string) => {
    await new Promise<void>((resolve, reject) => {
      what.once('error', (error) => reject(new StartupError(`cannot listen on port ${port}: ${error.message}`)));
      what.listen(port, host, resolve);
    });
    closes.push(
      () =>
        new Promise<void>((resolve) => {
          // Connections busy now become idle once their answer is out: close them then too.
          const idleCloser = setInterval(() => what.closeIdleConnections(), 100);
          what.close(() => {
            clearInterval(idleCloser);
            resolve();
          });
          what.closeIdleConnections();
        }),
    );
    return (what.address() as AddressInfo).port;
  };
  try {
    const server = createHttpServer({
      stopping: () => stopping,
      slack: deps.slack,
      slackSigningSecret: config.slack.signingSecret,
      telegram: deps.telegram,
      health: deps.health,
      metrics: deps.metrics,
      metricsToken,
      servesMetrics: metricsPort === undefined,
      log,
    });
    const port = await listen(server, config.port);
    const operatorPort =
      metricsPort === undefined ? undefined : await listen(createOperatorServer({ health: deps.health, metrics: deps.metrics, metricsToken, stopping: () => stopping, log }), metricsPort, metricsHost);
    return { port, metricsPort: operatorPort, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

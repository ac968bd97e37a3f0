import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Config } from '../config.js';
import type { AskService } from '../../src/asks/ask-service.js';
import type { AccessPolicy } from '../../src/cases/access-policy.js';
import type { CaseService } from '../../src/cases/case-service.js';
import type { Clock, Logger, NameStore } from '../../src/ports.js';
import type { HomeSource } from '../../src/reports/home.js';
import type { ReportSource } from '../../src/reports/stats.js';
import { ChannelMembershipError, ensureChannelMembership } from '../slack/channel-membership.js';
import { SlackDirectory } from '../slack/slack-directory.js';
import { SlackFileSource, slackFileHost, slackFileOriginHost } from '../slack/slack-file-source.js';
import { registerActionListeners } from '../slack/listeners/actions/index.js';
import { registerCommandListeners } from '../slack/listeners/commands/index.js';
import { registerEventListeners } from '../slack/listeners/events/index.js';
import { tellButtonFailures } from '../slack/listeners/failure-notice.js';
import { registerMessageListeners } from '../slack/listeners/messages/index.js';
import { registerViewListeners } from '../slack/listeners/views/index.js';
import { createKeepAliveFetch } from '../keep-alive-fetch.js';
import { createSlackMethodCall, type SlackMethodCall } from '../slack/slack-method-call.js';
import { rethrowSlackRejection, slackRejection } from '../rejected-credential.js';
import { StartupError } from '../startup-error.js';
import { boltLogger, withRetries, type Stop } from './startup.js';

/** The Slack workspace as Repka found it at start. */
export interface SlackConnection {
  readonly client: webApi.WebClient;
  /** Delivery's Web API calls, as `client` makes them but without its per-call work (bots/slack/slack-method-call.ts). */
  readonly callMethod: SlackMethodCall;
  /** The options every WebClient of this process is made with. */
  readonly clientOptions: webApi.WebClientOptions;
  readonly auth: { readonly botId?: string; readonly userId?: string; readonly url?: string };
  /** Reads files shared in Slack with the bot token: an agent's reply to the client, a department's answer to the thread. */
  readonly files: SlackFileSource;
}

/**
 * Checks the bot token (`auth.test`) and the channels Repka works in (joining public ones), so a
 * token or channel problem stops start-up in one line before any queue is opened.
 */
export async function connectSlack(config: Config, log: Logger): Promise<SlackConnection> {
  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 15_000,
    logger: boltLogger(log),
    fetch: createKeepAliveFetch(),
  };
  const client = new webApi.WebClient(config.slack.botToken, clientOptions);
  const auth = await withRetries(
    'Slack auth.test',
    6,
    () => client.auth.test().catch(rethrowSlackRejection('SLACK_BOT_TOKEN')),
    (error) => (error as { code?: string }).code === webApi.ErrorCode.PlatformError,
    log,
  );
  // A bot posts and hears messages only in channels it is in: join public ones, ask for /invite to private ones.
  const neededChannels = [
    { id: config.slack.supportChannel, configuredBy: 'SLACK_SUPPORT_CHANNEL' },
    ...config.departments.departments.map((d) => ({ id: d.channel, configuredBy: `department "${d.id}" (its slackChannel in ${config.departmentsFile})` })),
    ...(config.digest === undefined ? [] : [{ id: config.digest.channel, configuredBy: 'REPORT_CHANNEL' }]),
  ];
  await withRetries('Slack channel check', 6, () => ensureChannelMembership(client, neededChannels, auth.user ?? 'repka', log), (error) => error instanceof ChannelMembershipError, log);
  const apiHost = new URL(config.slack.apiUrl);
  const files = new SlackFileSource({
    token: config.slack.botToken,
    client,
    allowedHosts: new Set([slackFileHost, slackFileOriginHost, apiHost.host]),
    plainHttpHosts: apiHost.protocol === 'http:' ? new Set([apiHost.host]) : undefined,
  });
  const callMethod = createSlackMethodCall({
    apiUrl: client.slackApiUrl,
    token: config.slack.botToken,
    timeoutMs: clientOptions.timeout as number,
    // WebClient's own (`@slack:bolt/<version> @slack:web-api/<version> node/<version> <os>/<release>`): a private field, read as it is.
    userAgent: (client as unknown as { defaultHeaders?: Record<string, string> }).defaultHeaders?.['User-Agent'] ?? 'repka',
  });
  return { client, callMethod, clientOptions, auth: { botId: auth.bot_id, userId: auth.user_id, url: auth.url }, files };
}

export interface SlackAppDeps {
  readonly config: Config;
  readonly slack: SlackConnection;
  readonly cases: CaseService;
  readonly asks: AskService;
  readonly policy: AccessPolicy;
  readonly names: NameStore;
  readonly reports: ReportSource & HomeSource;
  /** Counts each inbound Slack delivery. */
  readonly onInbound: () => void;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface SlackApp {
  readonly app: App;
  /** HTTP mode: the request listener for /slack/events (Socket Mode: undefined). */
  readonly requestListener?: HTTPReceiver['requestListener'];
  /** Socket Mode: connects (HTTP mode: nothing to do); returns how to disconnect. */
  connect(): Promise<Stop>;
}

/** The Bolt app with every listener: case and department threads, buttons, forms, `/repka`, the App Home. */
export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { config, slack, cases, asks, log, clock } = deps;
  const directory = new SlackDirectory(new webApi.WebClient(config.slack.botToken, { ...slack.clientOptions, timeout: 3000 }), deps.names, clock, log);
  const receiver = config.slack.appToken
    ? new SocketModeReceiver({ appToken: config.slack.appToken, logger: boltLogger(log), installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } } as never })
    : new HTTPReceiver({ signingSecret: config.slack.signingSecret ?? '', processBeforeResponse: true, logger: boltLogger(log) });
  const app = new App({
    receiver,
    token: config.slack.botToken,
    botId: slack.auth.botId,
    botUserId: slack.auth.userId,
    tokenVerificationEnabled: false,
    clientOptions: slack.clientOptions,
    logger: boltLogger(log),
  });
  // Slack hears back (HTTP: processBeforeResponse) only once what the request wrote is durable:
  // every service call resolves only then, and the listeners await it.
  app.use(async ({ next }) => {
    deps.onInbound();
    await next();
  });
  app.use(tellButtonFailures);
  const departmentChannels = new Set(config.departments.departments.map((d) => d.channel));
  registerMessageListeners(app, { cases, asks, directory, supportChannel: config.slack.supportChannel, departmentChannels, log });
  registerActionListeners(app, { asks, cases, directory, departments: config.departments, log, timeZone: config.timeZone });
  registerViewListeners(app, { asks, cases, directory, departments: config.departments, log });
  const reportDeps = {
    reports: deps.reports,
    team: deps.policy,
    directory,
    departments: config.departments,
    timeZone: config.timeZone,
    clock,
    log,
    workspaceUrl: slack.auth.url ?? 'https://slack.com/',
  };
  registerCommandListeners(app, reportDeps);
  registerEventListeners(app, reportDeps);
  app.error(async (error) => {
    log.error('slack listener failed', { error: error.message });
    throw error;
  });
  return {
    app,
    requestListener: receiver instanceof HTTPReceiver ? receiver.requestListener : undefined,
    async connect() {
      if (!(receiver instanceof SocketModeReceiver)) return () => undefined;
      try {
        await app.start();
      } catch (error) {
        const rejected = slackRejection('SLACK_APP_TOKEN', error);
        if (rejected !== undefined) throw rejected;
        const code = (error as { data?: { error?: string } }).data?.error;
        throw new StartupError(`Slack Socket Mode connection failed: ${code ?? (error as Error).message}`);
      }
      return async () => {
        await app.stop();
      };
    },
  };
}

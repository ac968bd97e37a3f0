/**
 * How Slack is named in the core's references (ThreadRef.platform) and in storage: the value the
 * migration that made the core platform-neutral gave every case and question already stored.
 */
export const slackPlatform = 'slack';

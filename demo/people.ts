import type { TgUser } from '../tests/fakes/fake-telegram.js';

/** A person of the fake Slack workspace the playground lets the visitor act as. */
export interface Person {
  readonly id: string;
  readonly name: string;
  /** Shown beside the name in the "post as" pickers. */
  readonly role: string;
}

/** The support channel of the playground. */
export const supportChannel = 'C0SUPPORT';

/** Agents: listed in SLACK_AGENTS, so they may `!reply` and `!close`. */
export const agents: readonly Person[] = [
  { id: 'U0ANNA', name: 'Anna', role: 'agent' },
  { id: 'U0BORIS', name: 'Boris', role: 'agent' },
];

/** In the support channel but not an agent: shows how Repka refuses a `!reply` from them. */
export const supportOthers: readonly Person[] = [
  { id: 'U0VERA', name: 'Vera', role: 'sales, not an agent' },
  { id: 'U0LEAD', name: 'Lena', role: 'support lead' },
];

/** Members of each department channel, by the channel ID in demo/departments.demo.json. */
export const departmentPeople: Readonly<Record<string, readonly Person[]>> = {
  C0ACCOUNTING: [
    { id: 'U0ALLA', name: 'Alla', role: 'accounting' },
    { id: 'U0ARKADY', name: 'Arkady', role: 'accounting lead' },
  ],
  C0DEV: [
    { id: 'U0DMITRY', name: 'Dmitry', role: 'developer' },
    { id: 'U0DENIS', name: 'Denis', role: 'dev lead' },
  ],
  C0MARKETING: [
    { id: 'U0MARIA', name: 'Maria', role: 'marketing' },
    { id: 'U0MARK', name: 'Mark', role: 'marketing lead' },
  ],
};

/** Everyone in the fake workspace. */
export const everyone: readonly Person[] = [...agents, ...supportOthers, ...Object.values(departmentPeople).flat()];

/** The client writing to the bot in Telegram. */
export const client: TgUser = { id: 7001, first_name: 'Ivan', last_name: 'Petrov', username: 'ivan_petrov', language_code: 'en' };

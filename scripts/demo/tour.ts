/**
 * The tour of `npm run demo`, in order: each step a function of the shared
 * context (what earlier steps made is in ctx.state), so scripts/demo.ts only
 * connects and runs it, and a test can run the same tour on a stack of its own.
 */
import { postgresClient } from '@wallai/db-client';
import { activityStep } from './activity-step.ts';
import { bankStep } from './bank-step.ts';
import { chatStep } from './chat-step.ts';
import { insightsStep } from './insights-step.ts';
import { storageRealtimeStep } from './storage-realtime-step.ts';
import {
  balancesStep,
  budgetStep,
  createSpaceStep,
  expensesStep,
  joinStep,
  privacyStep,
  signInStep,
  signOutStep,
  splitStep,
  type DemoStep,
} from './supabase-steps.ts';

/** The assistant's questions about the demo's space, as Alice (her session's access token). */
const askTheAssistant: DemoStep = async (ctx) => {
  const space = ctx.state.space;
  if (!space) throw new Error('the assistant step needs the space');
  await chatStep({ apiUrl: ctx.apiUrl, token: await ctx.accessToken('alice'), spaceId: space.id, heading: ctx.heading, say: ctx.say });
};

/** Alice imports bank files into the demo's space (scripts/demo/bank-step.ts), with her session token. */
const importBankFiles: DemoStep = async (ctx) => {
  const space = ctx.state.space;
  if (!space) throw new Error('the bank step needs the space');
  await bankStep({
    apiUrl: ctx.apiUrl,
    token: await ctx.accessToken('alice'),
    spaceId: space.id,
    rates: { USD: 0.92 },
    heading: ctx.heading,
    say: ctx.say,
  });
};

/** The insights of the seeded spaces (scripts/demo/insights-step.ts), with Alice's and Bob's session tokens. */
const insightsOn =
  (databaseUrl: string): DemoStep =>
  async (ctx) => {
    const db = postgresClient(databaseUrl, { max: 1 });
    try {
      const tokens = { alice: await ctx.accessToken('alice'), bob: await ctx.accessToken('bob') };
      await insightsStep({ db, apiUrl: ctx.apiUrl, tokens, heading: ctx.heading, say: ctx.say });
    } finally {
      await db.close();
    }
  };

/** The tour, in order. A step reads what earlier ones left in ctx.state. */
export function tourSteps(databaseUrl: string): readonly DemoStep[] {
  return [
    signInStep,
    createSpaceStep,
    joinStep,
    budgetStep,
    expensesStep,
    splitStep,
    balancesStep,
    storageRealtimeStep,
    askTheAssistant,
    importBankFiles,
    insightsOn(databaseUrl),
    privacyStep,
    activityStep,
    signOutStep,
  ];
}

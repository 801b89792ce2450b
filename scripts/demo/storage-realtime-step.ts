/**
 * The demo's Storage and Realtime step, through supabase-js as an app uses
 * them: Alice uploads a receipt for her expense into the private receipts
 * bucket and Carol reads it back; then Alice watches the space's expenses
 * live (supabase.channel(...).on('postgres_changes', ...)) while Bob and
 * Carol add theirs. Everyone acts through their own signed-in supabase-js
 * client (Realtime joins with the session's token, as in a browser).
 */
import type { RealtimePostgresChangesPayload } from '@supabase/supabase-js';
import { money, type DemoStep } from './supabase-steps.ts';

/** A tiny valid PDF: what a scanned receipt is to the bucket (application/pdf is allowed). */
function receiptPdf(lines: readonly string[]): Buffer {
  const text = lines.map((l, i) => `BT /F1 12 Tf 40 ${760 - i * 18} Td (${l.replace(/[()\\]/g, '')}) Tj ET`).join('\n');
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n` +
      `3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 400 800]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n` +
      `4 0 obj<</Length ${text.length}>>stream\n${text}\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n` +
      `trailer<</Root 1 0 R>>\n%%EOF\n`,
  );
}

export const storageRealtimeStep: DemoStep = async (ctx) => {
  const space = ctx.state.space;
  const expenseId = ctx.state.expenseIds?.[0];
  if (!space || expenseId === undefined) throw new Error('the storage and realtime step needs the space and Alice’s first expense');
  const alice = ctx.client('alice');
  const carol = ctx.client('carol');

  ctx.heading('Alice keeps the receipt; everyone in the space can open it');
  const path = `${space.id}/${expenseId}/receipt.pdf`;
  const pdf = receiptPdf(['Corner Market', 'Groceries', 'Thank you']);
  const up = await alice.storage.from('receipts').upload(path, pdf, { contentType: 'application/pdf', upsert: true });
  if (up.error) throw new Error(`receipt upload failed: ${up.error.message}`);
  ctx.say(`Alice uploaded receipts/${up.data.path} (${pdf.length} bytes) with supabase.storage.`);
  const down = await carol.storage.from('receipts').download(path);
  if (down.error) throw new Error(`receipt download failed: ${down.error.message}`);
  const back = Buffer.from(await down.data.arrayBuffer());
  ctx.say(`Carol downloaded it: ${back.length} bytes, ${down.data.type}, ${back.equals(pdf) ? 'identical' : 'DIFFERENT'}.`);
  const signed = await carol.storage.from('receipts').createSignedUrl(path, 60);
  if (signed.data) ctx.say(`A link valid for 60 s: ${signed.data.signedUrl.split('?')[0]}?token=…`);

  ctx.heading('Alice watches the space live while Bob and Carol add expenses');
  const seen: string[] = [];
  let notify: (() => void) | null = null;
  const channel = alice.channel(`demo-space-${space.id}`);
  await new Promise<void>((resolve, reject) => {
    channel
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'expenses', filter: `space_id=eq.${space.id}` },
        (change: RealtimePostgresChangesPayload<{ description: string; amount: number | string }>) => {
          const row = change.new as { description: string; amount: number | string };
          seen.push(row.description);
          ctx.say(`live → ${row.description}, ${money(row.amount)} (${change.eventType} at ${change.commit_timestamp})`);
          notify?.();
        },
      )
      .subscribe((status, error) => {
        if (status === 'SUBSCRIBED') resolve();
        else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status));
      });
  });
  ctx.say('Alice is subscribed to the space’s expenses (supabase.channel(...).on("postgres_changes", ...)).');
  const added: Array<['bob' | 'carol', string, string]> = [
    ['bob', 'Bike repair', '35.00'],
    ['carol', 'Cinema tickets', '24.00'],
  ];
  for (const [who, description, amount] of added) {
    const arrived = new Promise<void>((resolve) => {
      notify = () => {
        if (seen.includes(description)) resolve();
      };
    });
    const { error } = await ctx.client(who).from('expenses').insert({ space_id: space.id, description, amount, currency: 'EUR' });
    if (error) throw new Error(`${who}'s expense failed: ${error.message}`);
    await Promise.race([
      arrived,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`"${description}" did not arrive live`)), 10_000)),
    ]);
  }
  ctx.say(`Alice saw ${seen.length} expenses arrive as they were committed; RLS decided she may see them.`);
  await alice.removeAllChannels();
};

// Frozen: never import application code here. Single-use link tokens leave the mail body: the body keeps
// a placeholder, the token is stored encrypted beside it until the mail is sent, then cleared. Bodies of
// mails already sent or given up on are scrubbed of the tokens they held.
import type { Kysely } from 'kysely';

const TOKEN_IN_LINK = /([?&](?:token|code)=)[^\s"'&<>]+/gi;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_outbox').addColumn('link_token_enc', 'text').execute();
  const rows = await db
    .selectFrom('mail_outbox')
    .select(['id', 'body_text', 'body_html'])
    .where('status', 'in', ['sent', 'failed', 'stored'])
    .where('body_text', 'like', '%token=%')
    .execute();
  for (const r of rows) {
    await db
      .updateTable('mail_outbox')
      .set({
        body_text: r.body_text.replace(TOKEN_IN_LINK, '$1[hidden]'),
        body_html: r.body_html === null ? null : r.body_html.replace(TOKEN_IN_LINK, '$1[hidden]'),
      })
      .where('id', '=', r.id)
      .execute();
  }
}

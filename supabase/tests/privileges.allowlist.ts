/**
 * Everything the API roles may do, declared. privileges.test.ts reads the
 * catalogue and expects exactly this: a migration that grants anon or
 * authenticated anything more (a new function left executable by PUBLIC, a
 * table grant, a column) fails the test until it is declared here, on purpose.
 *
 * Functions are `schema.name(identity arguments)`. Relations list their
 * table-level privileges and, for INSERT/UPDATE/SELECT granted on some columns
 * only, those columns in table order. Relations an API role cannot touch at
 * all are left out.
 */
export type ApiRole = 'anon' | 'authenticated';
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'REFERENCES' | 'TRIGGER';

export interface RelationGrant {
  readonly table?: readonly TablePrivilege[];
  readonly columns?: Partial<Record<'SELECT' | 'INSERT' | 'UPDATE', readonly string[]>>;
}

export interface RoleAllowList {
  readonly functions: readonly string[];
  readonly relations: Readonly<Record<string, RelationGrant>>;
}

/** Supabase's request helpers (compatibility layer) and storage path helpers: every role calls them. */
const REQUEST_HELPERS = [
  'auth.email()',
  'auth.jwt()',
  'auth.role()',
  'auth.uid()',
  'storage.extension(name text)',
  'storage.filename(name text)',
  'storage.foldername(name text)',
];

/** As on Supabase: storage decides by the policies on storage.objects, which give anon nothing. */
const STORAGE: Readonly<Record<string, RelationGrant>> = {
  'storage.buckets': { table: ['SELECT'] },
  'storage.objects': { table: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'] },
};

export const ALLOWED: Readonly<Record<ApiRole, RoleAllowList>> = {
  anon: {
    functions: REQUEST_HELPERS,
    relations: STORAGE,
  },
  authenticated: {
    functions: [
      ...REQUEST_HELPERS,
      // Called by RLS policies as the querying user; each answers only about the caller.
      'private.can_change_import_file(object_name text)',
      'private.can_change_receipt(object_name text)',
      'private.co_member_user_ids()',
      'private.managed_budget_ids()',
      'private.managed_space_ids()',
      'private.member_active_space_ids()',
      'private.member_budget_ids()',
      'private.member_expense_ids()',
      'private.member_space_ids()',
      'private.owned_space_ids()',
      'private.receipt_space_id(object_name text)',
      'private.space_has_no_members(target_space uuid)',
      'private.writable_space_ids()',
      // Insights review: whether the JWT says app_metadata.role operator or admin (policies on financial_insights).
      'private.is_operator()',
      // The activity log's read policy: a pure test of the row (reviews members may not see).
      'private.activity_shown_to_members(table_name text, new_values jsonb)',
      // Called by a trigger that runs as the writing role (check_currency_and_timezone).
      'private.is_valid_timezone(tz text)',
      // The default of spaces.invite_code, evaluated as the inserting role.
      'private.unused_invite_code()',
      // The RPCs.
      'public.space_activity(space_id uuid, max_results integer, before_id bigint)',
      'public.apply_auto_category(expense_id uuid, category text, confidence numeric, source text)',
      // Bank import: the uploader hands the new expenses of an owned account to its owner (the payer).
      'public.assign_import_payers(import_id uuid, expense_ids uuid[])',
      // Plaid sync: the applying transaction stores the walk's cursor on its item (plaid_items has no client write grant).
      'public.record_plaid_sync(plaid_item_id uuid, import_id uuid, from_cursor text, next_cursor text)',
      'public.category_history(space_id uuid, description text, max_results integer, exclude_expense uuid)',
      'public.month_categories(space_id uuid, on_date date)',
      'public.confirm_settlement(settlement_id uuid)',
      'public.copy_budget(budget_id uuid, to_month date, rollover boolean)',
      'public.create_budget(space_id uuid, month_period date, framework text, total_income numeric, type text, name text)',
      'public.decline_settlement(settlement_id uuid)',
      'public.join_space(invite_code text)',
      'public.leave_space(space_id uuid)',
      'public.mark_split_paid(split_id uuid, payment_method text, payment_reference text)',
      'public.record_settlement(space_id uuid, from_user uuid, to_user uuid, amount numeric, currency text, note text)',
      'public.regenerate_invite_code(space_id uuid)',
      'public.remove_member(space_id uuid, user_id uuid)',
      'public.search_expenses(space_id uuid, query text, max_results integer)',
      'public.set_member_role(space_id uuid, user_id uuid, role text)',
      'public.space_balances(space_id uuid)',
      'public.split_expense(expense_id uuid, mode text, parts jsonb)',
      'public.suggest_settlements(space_id uuid)',
      'public.transfer_ownership(space_id uuid, new_owner uuid)',
      // Insights: the person's consent; the operators' review (each RPC checks the operator role itself).
      'public.set_insights_consent(granted boolean, version text)',
      'public.approve_recommendation(insight_id uuid)',
      'public.reject_recommendation(insight_id uuid, reason text)',
    ],
    relations: {
      ...STORAGE,
      // Read by is_valid_timezone as the writing role.
      'private.time_zones': { table: ['SELECT'] },
      'public.activity_log': { table: ['SELECT'] },
      // The transcript (messages) and thread_id are the backend's: clients start, rename, archive,
      // rescope and delete their conversations, but only private.append_chat_turn (service role) appends.
      'public.ai_conversations': {
        table: ['DELETE', 'SELECT'],
        columns: {
          INSERT: ['id', 'user_id', 'space_id', 'title', 'is_active'],
          UPDATE: ['space_id', 'title', 'is_active'],
        },
      },
      // Proposals are inserted with the turn by the backend; the person reads theirs and decides
      // (pending -> confirmed/declined), which RLS and a trigger allow once.
      'public.ai_proposals': { table: ['SELECT'], columns: { UPDATE: ['status'] } },
      'public.bank_accounts': {
        table: ['DELETE', 'SELECT'],
        columns: {
          INSERT: [
            'id',
            'space_id',
            'external_id',
            'owner_id',
            'name',
            'official_name',
            'mask',
            'type',
            'subtype',
            'currency',
            'unofficial_currency',
            'current_balance',
            'available_balance',
            'credit_limit',
            'balances_as_of',
          ],
          UPDATE: [
            'owner_id',
            'name',
            'official_name',
            'mask',
            'type',
            'subtype',
            'current_balance',
            'available_balance',
            'credit_limit',
            'balances_as_of',
          ],
        },
      },
      'public.bank_transactions': {
        table: ['DELETE', 'SELECT'],
        columns: {
          INSERT: [
            'id',
            'space_id',
            'account_id',
            'import_id',
            'provider_id',
            'pending_transaction_id',
            'content_key',
            'occurrence',
            'pending',
            'date',
            'authorized_date',
            'amount',
            'currency',
            'unofficial_currency',
            'description',
            'merchant_name',
            'provider_category',
            'kind',
            'expense_id',
            'raw',
          ],
          UPDATE: [
            'import_id',
            'provider_id',
            'pending_transaction_id',
            'pending',
            'date',
            'authorized_date',
            'amount',
            'currency',
            'unofficial_currency',
            'description',
            'merchant_name',
            'provider_category',
            'kind',
            'expense_id',
            'raw',
          ],
        },
      },
      'public.budget_items': {
        table: ['DELETE', 'SELECT'],
        columns: {
          INSERT: ['budget_id', 'category', 'description', 'category_type', 'budgeted_amount', 'icon', 'color', 'display_order'],
          UPDATE: ['category', 'description', 'category_type', 'budgeted_amount', 'icon', 'color', 'display_order'],
        },
      },
      'public.budgets': {
        table: ['DELETE', 'SELECT'],
        columns: {
          INSERT: ['space_id', 'name', 'description', 'type', 'month_period', 'framework', 'total_income'],
          UPDATE: ['name', 'description', 'framework', 'total_income'],
        },
      },
      'public.expense_splits': { table: ['SELECT'] },
      // Insights: members read; only the insights service (service role) writes.
      'public.persona_history': { table: ['SELECT'] },
      'public.recurring_series': { table: ['SELECT'] },
      'public.space_profiles': { table: ['SELECT'] },
      'public.expenses': {
        table: ['DELETE', 'SELECT'],
        columns: {
          INSERT: [
            'id',
            'space_id',
            'budget_id',
            'budget_item_id',
            'amount',
            'description',
            'category',
            'ai_category_confidence',
            'date',
            'receipt_url',
            'receipt_processed',
            'payment_method',
            'bank_transaction_id',
            'currency',
            'exchange_rate',
            'tags',
            'notes',
            'category_source',
          ],
          UPDATE: [
            'budget_id',
            'budget_item_id',
            'amount',
            'description',
            'category',
            'ai_category_confidence',
            'date',
            'receipt_url',
            'receipt_processed',
            'payment_method',
            'bank_transaction_id',
            'currency',
            'exchange_rate',
            'tags',
            'notes',
            'category_source',
          ],
        },
      },
      'public.financial_insights': { table: ['SELECT'], columns: { UPDATE: ['is_read', 'is_dismissed'] } },
      'public.imports': {
        table: ['SELECT'],
        columns: {
          INSERT: ['id', 'space_id', 'uploaded_by', 'source', 'file_name', 'file_size', 'file_type', 'storage_bucket', 'storage_key'],
          UPDATE: [
            'storage_bucket',
            'storage_key',
            'status',
            'validation_errors',
            'detection',
            'row_count',
            'added_count',
            'updated_count',
            'removed_count',
            'unchanged_count',
            'duplicate_count',
            'invalid_count',
            'row_matches',
            'failure_reason',
            'processed_at',
          ],
        },
      },
      // Linked banks: members read them; only the plaid-sync function (service role) writes. The access token is
      // in private.plaid_item_tokens, which no API role may touch.
      'public.plaid_items': { table: ['SELECT'] },
      'public.settlements': { table: ['DELETE', 'SELECT'] },
      'public.space_members': { table: ['SELECT'] },
      'public.spaces': {
        table: ['SELECT'],
        columns: {
          INSERT: ['name', 'description', 'currency', 'timezone'],
          UPDATE: ['name', 'description', 'currency', 'timezone', 'is_active'],
        },
      },
      'public.users': {
        table: ['SELECT'],
        columns: { UPDATE: ['username', 'full_name', 'avatar_url', 'currency', 'timezone', 'settings'] },
      },
    },
  },
};

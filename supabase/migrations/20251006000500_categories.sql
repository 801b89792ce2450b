-- The default category taxonomy.
--
-- The items a framework budget starts with (create_budget) and the
-- categorizer's fallback candidates when a space has no budget for the month.

-- Default categories ---------------------------------------------------------------
-- Mirrors DEFAULT_CATEGORIES in packages/domain/src/categories.ts (a test keeps
-- the two equal).

create table private.default_categories (
  key text primary key,
  label text not null,
  category_type text not null check (category_type in ('needs', 'wants', 'savings', 'income')),
  description text not null,
  weight_bp integer not null check (weight_bp > 0 and weight_bp <= 10000),
  icon text not null,
  color text not null,
  display_order integer not null unique
);
comment on table private.default_categories is
  'Wallai''s default taxonomy: the items a framework budget starts with, and the categorizer''s fallback candidates.';
comment on column private.default_categories.weight_bp is
  'Share of its category type''s allocation, in basis points; the weights of one type add up to 10 000.';

insert into private.default_categories (key, label, category_type, description, weight_bp, icon, color, display_order) values
  ('housing',        'Housing',           'needs',   'Rent, mortgage, property fees, home repairs and furnishing essentials', 4000, 'home',     '#4F46E5', 1),
  ('utilities',      'Bills & utilities', 'needs',   'Electricity, water, gas, internet, phone plans',                        1200, 'bolt',     '#0EA5E9', 2),
  ('groceries',      'Groceries',         'needs',   'Supermarkets, food markets, household supplies',                        1800, 'cart',     '#16A34A', 3),
  ('transport',      'Transport',         'needs',   'Fuel, public transit, ride hailing, parking, tolls, car service',       1200, 'car',      '#F59E0B', 4),
  ('health',         'Health',            'needs',   'Pharmacy, doctors, dentists, clinics, labs',                             700, 'heart',    '#DC2626', 5),
  ('insurance',      'Insurance',         'needs',   'Health, car, home and life insurance premiums',                          600, 'shield',   '#64748B', 6),
  ('fees_taxes',     'Fees & taxes',      'needs',   'Bank fees, interest, ATM charges, taxes and government payments',        500, 'receipt',  '#78716C', 7),
  ('dining',         'Dining out',        'wants',   'Restaurants, cafes, bars, fast food, food delivery',                    2500, 'utensils', '#EA580C', 8),
  ('shopping',       'Shopping',          'wants',   'Clothing, electronics, department stores, online marketplaces, home goods', 2000, 'bag', '#DB2777', 9),
  ('entertainment',  'Entertainment',     'wants',   'Cinema, concerts, events, games, sports, hobbies',                      1500, 'ticket',   '#9333EA', 10),
  ('subscriptions',  'Subscriptions',     'wants',   'Streaming, software, memberships and other recurring services',          800, 'repeat',   '#7C3AED', 11),
  ('travel',         'Travel',            'wants',   'Flights, hotels, holiday rentals, travel agencies',                     1500, 'plane',    '#0891B2', 12),
  ('personal_care',  'Personal care',     'wants',   'Hair, beauty, spa, gym and fitness',                                     700, 'sparkles', '#F472B6', 13),
  ('other',          'Other',             'wants',   'Gifts, pets, education, shipping, transfers and anything that fits nowhere else', 1000, 'dots', '#94A3B8', 14),
  ('emergency_fund', 'Emergency fund',    'savings', 'Cash set aside for emergencies',                                        4000, 'lifebuoy', '#15803D', 15),
  ('investments',    'Investments',       'savings', 'Retirement, brokerage and investment contributions',                    3000, 'chart',    '#1D4ED8', 16),
  ('debt_payoff',    'Debt payoff',       'savings', 'Payments on loans and credit cards beyond the minimum',                 3000, 'scissors', '#B91C1C', 17),
  ('income',         'Income',            'income',  'Salary, refunds and other money coming in',                            10000, 'wallet',   '#059669', 18);

-- Read only by create_budget (security definer): no API role reads it directly.
revoke all on private.default_categories from public;

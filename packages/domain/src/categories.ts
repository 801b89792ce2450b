/**
 * Wallai's default category taxonomy.
 *
 * Budgets created from a framework get one budget item per category of the
 * matching category_type, and the categorizer chooses among these keys when a
 * space has no budget for the month. The same list is seeded into
 * `private.default_categories` by the migrations; a test keeps the two equal.
 */
/** budget_items_category_type_check and default_categories_category_type_check. */
export const CATEGORY_TYPES = ['needs', 'wants', 'savings', 'income'] as const;
export type CategoryType = (typeof CATEGORY_TYPES)[number];

export interface CategoryDefinition {
  /** Stable key stored in `expenses.category` and `budget_items.category`. */
  readonly key: string;
  readonly label: string;
  readonly type: CategoryType;
  /** What belongs here, for people and for the model's prompt. */
  readonly description: string;
  /**
   * Share of its type's allocation a new framework budget gives this category,
   * in basis points; the shares of one type add up to 10 000.
   */
  readonly weightBp: number;
  readonly icon: string;
  readonly color: string;
}

export const DEFAULT_CATEGORIES = [
  {
    key: 'housing',
    label: 'Housing',
    type: 'needs',
    weightBp: 4000,
    icon: 'home',
    color: '#4F46E5',
    description: 'Rent, mortgage, property fees, home repairs and furnishing essentials',
  },
  {
    key: 'utilities',
    label: 'Bills & utilities',
    type: 'needs',
    weightBp: 1200,
    icon: 'bolt',
    color: '#0EA5E9',
    description: 'Electricity, water, gas, internet, phone plans',
  },
  {
    key: 'groceries',
    label: 'Groceries',
    type: 'needs',
    weightBp: 1800,
    icon: 'cart',
    color: '#16A34A',
    description: 'Supermarkets, food markets, household supplies',
  },
  {
    key: 'transport',
    label: 'Transport',
    type: 'needs',
    weightBp: 1200,
    icon: 'car',
    color: '#F59E0B',
    description: 'Fuel, public transit, ride hailing, parking, tolls, car service',
  },
  {
    key: 'health',
    label: 'Health',
    type: 'needs',
    weightBp: 700,
    icon: 'heart',
    color: '#DC2626',
    description: 'Pharmacy, doctors, dentists, clinics, labs',
  },
  {
    key: 'insurance',
    label: 'Insurance',
    type: 'needs',
    weightBp: 600,
    icon: 'shield',
    color: '#64748B',
    description: 'Health, car, home and life insurance premiums',
  },
  {
    key: 'fees_taxes',
    label: 'Fees & taxes',
    type: 'needs',
    weightBp: 500,
    icon: 'receipt',
    color: '#78716C',
    description: 'Bank fees, interest, ATM charges, taxes and government payments',
  },

  {
    key: 'dining',
    label: 'Dining out',
    type: 'wants',
    weightBp: 2500,
    icon: 'utensils',
    color: '#EA580C',
    description: 'Restaurants, cafes, bars, fast food, food delivery',
  },
  {
    key: 'shopping',
    label: 'Shopping',
    type: 'wants',
    weightBp: 2000,
    icon: 'bag',
    color: '#DB2777',
    description: 'Clothing, electronics, department stores, online marketplaces, home goods',
  },
  {
    key: 'entertainment',
    label: 'Entertainment',
    type: 'wants',
    weightBp: 1500,
    icon: 'ticket',
    color: '#9333EA',
    description: 'Cinema, concerts, events, games, sports, hobbies',
  },
  {
    key: 'subscriptions',
    label: 'Subscriptions',
    type: 'wants',
    weightBp: 800,
    icon: 'repeat',
    color: '#7C3AED',
    description: 'Streaming, software, memberships and other recurring services',
  },
  {
    key: 'travel',
    label: 'Travel',
    type: 'wants',
    weightBp: 1500,
    icon: 'plane',
    color: '#0891B2',
    description: 'Flights, hotels, holiday rentals, travel agencies',
  },
  {
    key: 'personal_care',
    label: 'Personal care',
    type: 'wants',
    weightBp: 700,
    icon: 'sparkles',
    color: '#F472B6',
    description: 'Hair, beauty, spa, gym and fitness',
  },
  {
    key: 'other',
    label: 'Other',
    type: 'wants',
    weightBp: 1000,
    icon: 'dots',
    color: '#94A3B8',
    description: 'Gifts, pets, education, shipping, transfers and anything that fits nowhere else',
  },

  {
    key: 'emergency_fund',
    label: 'Emergency fund',
    type: 'savings',
    weightBp: 4000,
    icon: 'lifebuoy',
    color: '#15803D',
    description: 'Cash set aside for emergencies',
  },
  {
    key: 'investments',
    label: 'Investments',
    type: 'savings',
    weightBp: 3000,
    icon: 'chart',
    color: '#1D4ED8',
    description: 'Retirement, brokerage and investment contributions',
  },
  {
    key: 'debt_payoff',
    label: 'Debt payoff',
    type: 'savings',
    weightBp: 3000,
    icon: 'scissors',
    color: '#B91C1C',
    description: 'Payments on loans and credit cards beyond the minimum',
  },

  {
    key: 'income',
    label: 'Income',
    type: 'income',
    weightBp: 10000,
    icon: 'wallet',
    color: '#059669',
    description: 'Salary, refunds and other money coming in',
  },
] as const satisfies readonly CategoryDefinition[];

export type CategoryKey = (typeof DEFAULT_CATEGORIES)[number]['key'];

export const CATEGORY_KEYS: readonly CategoryKey[] = DEFAULT_CATEGORIES.map((c) => c.key);

/** The category used when nothing better is known. */
export const FALLBACK_CATEGORY: CategoryKey = 'other';

export function isCategoryKey(value: string): value is CategoryKey {
  return (CATEGORY_KEYS as readonly string[]).includes(value);
}

export function categoriesOfType(type: CategoryType): readonly CategoryDefinition[] {
  return DEFAULT_CATEGORIES.filter((c) => c.type === type);
}

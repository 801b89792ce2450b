/**
 * What realistic household spending looks like, for the benchmark generator:
 * per category, how often it occurs, a typical amount (log-normal around a
 * median) and descriptions the way bank statements and people write them.
 */
export interface CategoryProfile {
  readonly key: string;
  /** Relative frequency among expenses. */
  readonly weight: number;
  /** Median amount in the space's currency, in cents. */
  readonly medianCents: number;
  /** Spread of the log-normal amount. */
  readonly sigma: number;
  /** Expenses that households commonly split among members. */
  readonly shared: boolean;
  readonly descriptions: readonly string[];
  readonly paymentMethods: readonly string[];
}

const CARD = ['card', 'card', 'card', 'apple_pay', 'cash'];
const BANK = ['bank_transfer', 'direct_debit'];

export const CATEGORY_PROFILES: readonly CategoryProfile[] = [
  {
    key: 'groceries',
    weight: 22,
    medianCents: 4500,
    sigma: 0.6,
    shared: true,
    paymentMethods: CARD,
    descriptions: [
      'WHOLEFDS MKT #10234',
      "TRADER JOE'S #552",
      'Safeway',
      'Costco Wholesale',
      'Kroger',
      'ALDI 4411',
      'Lidl',
      'Farmers market',
      'Walmart Supercenter',
      'Weekly groceries',
      'Corner shop',
      'Instacart order',
    ],
  },
  {
    key: 'dining',
    weight: 16,
    medianCents: 2500,
    sigma: 0.7,
    shared: true,
    paymentMethods: CARD,
    descriptions: [
      'Starbucks',
      'Chipotle Mexican Grill',
      'UBER EATS',
      'DoorDash order',
      'Pizza night',
      'Sushi Ko',
      'Local cafe',
      "McDonald's",
      'Thai Garden',
      'Brunch with friends',
      'SQ *BLUE BOTTLE COFFEE',
      'Birthday dinner',
    ],
  },
  {
    key: 'transport',
    weight: 10,
    medianCents: 3000,
    sigma: 0.7,
    shared: false,
    paymentMethods: CARD,
    descriptions: [
      'Shell Oil 5743',
      'Chevron',
      'Uber trip',
      'Lyft ride',
      'Metro card top-up',
      'Parking garage',
      'EZPass toll',
      'Car wash',
      'Jiffy Lube oil change',
    ],
  },
  {
    key: 'shopping',
    weight: 8,
    medianCents: 6000,
    sigma: 0.9,
    shared: false,
    paymentMethods: CARD,
    descriptions: ['Amazon.com*2K4', 'Target', 'IKEA', 'Best Buy', 'H&M', 'Zara', 'Etsy purchase', 'Kids clothes', 'Uniqlo'],
  },
  {
    key: 'utilities',
    weight: 5,
    medianCents: 8000,
    sigma: 0.4,
    shared: true,
    paymentMethods: BANK,
    descriptions: ['PG&E electricity', 'Comcast Xfinity internet', 'Verizon Wireless', 'Water bill', 'Gas bill', 'T-Mobile'],
  },
  {
    key: 'housing',
    weight: 2,
    medianCents: 160000,
    sigma: 0.3,
    shared: true,
    paymentMethods: BANK,
    descriptions: ['Rent', 'Mortgage payment', 'HOA fees', 'Monthly rent'],
  },
  {
    key: 'health',
    weight: 4,
    medianCents: 3500,
    sigma: 0.8,
    shared: false,
    paymentMethods: CARD,
    descriptions: ['CVS Pharmacy', 'Walgreens', 'Dentist', 'Doctor visit copay', 'Quest Diagnostics', 'Optician'],
  },
  {
    key: 'entertainment',
    weight: 5,
    medianCents: 3000,
    sigma: 0.7,
    shared: true,
    paymentMethods: CARD,
    descriptions: ['AMC Theatres', 'Steam purchase', 'Concert tickets', 'Bowling', 'Museum tickets', 'Ticketmaster'],
  },
  {
    key: 'subscriptions',
    weight: 5,
    medianCents: 1300,
    sigma: 0.4,
    shared: true,
    paymentMethods: CARD,
    descriptions: ['Netflix.com', 'Spotify Family', 'Apple iCloud', 'Disney+', 'YouTube Premium', 'NYTimes digital'],
  },
  {
    key: 'travel',
    weight: 2,
    medianCents: 25000,
    sigma: 0.9,
    shared: true,
    paymentMethods: CARD,
    descriptions: ['Delta Air Lines', 'Airbnb', 'Marriott hotel', 'Booking.com', 'Train tickets', 'Car rental'],
  },
  {
    key: 'personal_care',
    weight: 3,
    medianCents: 4000,
    sigma: 0.5,
    shared: false,
    paymentMethods: CARD,
    descriptions: ['Great Clips', 'Sephora', 'Planet Fitness', 'Nail salon', 'Yoga class'],
  },
  {
    key: 'insurance',
    weight: 1,
    medianCents: 14000,
    sigma: 0.3,
    shared: true,
    paymentMethods: BANK,
    descriptions: ['GEICO auto insurance', 'State Farm', 'Renters insurance'],
  },
  {
    key: 'fees_taxes',
    weight: 1,
    medianCents: 1500,
    sigma: 1.0,
    shared: false,
    paymentMethods: BANK,
    descriptions: ['Bank fee', 'ATM withdrawal fee', 'IRS payment', 'Late fee'],
  },
  {
    key: 'other',
    weight: 4,
    medianCents: 3000,
    sigma: 1.0,
    shared: false,
    paymentMethods: CARD,
    descriptions: ['Petco', 'Gift for mom', 'USPS shipping', 'Venmo transfer', 'Coursera', 'School supplies', 'Donation'],
  },
  {
    key: 'emergency_fund',
    weight: 1,
    medianCents: 20000,
    sigma: 0.5,
    shared: false,
    paymentMethods: BANK,
    descriptions: ['Transfer to savings', 'Emergency fund top-up'],
  },
  {
    key: 'investments',
    weight: 1,
    medianCents: 30000,
    sigma: 0.6,
    shared: false,
    paymentMethods: BANK,
    descriptions: ['Vanguard contribution', 'Brokerage deposit', '401k extra'],
  },
  {
    key: 'debt_payoff',
    weight: 1,
    medianCents: 25000,
    sigma: 0.6,
    shared: false,
    paymentMethods: BANK,
    descriptions: ['Credit card payment', 'Student loan payment', 'Car loan'],
  },
];

export const TAGS = ['weekly', 'kids', 'work', 'vacation', 'reimbursable', 'recurring', 'gift'];

/** Household sizes 1..6 and how common each is. */
export const HOUSEHOLD_SIZES: ReadonlyArray<{ size: number; weight: number }> = [
  { size: 1, weight: 20 },
  { size: 2, weight: 30 },
  { size: 3, weight: 18 },
  { size: 4, weight: 17 },
  { size: 5, weight: 10 },
  { size: 6, weight: 5 },
];

export const SPACE_NAMES = ['Home', 'Household', 'Flat', 'Family budget', 'Shared costs', 'Our place', 'House', 'Apartment'];
export const FAMILY_NAMES = [
  'Garcia',
  'Smith',
  'Nguyen',
  'Müller',
  'Rossi',
  'Kowalski',
  'Okafor',
  'Tanaka',
  'Silva',
  'Dubois',
  'Johansson',
  'Patel',
];
